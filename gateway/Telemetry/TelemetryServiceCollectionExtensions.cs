using Gateway.Health;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The Prometheus scrape path, on the admin listener.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Standard OpenTelemetry variable; OTLP export (traces, metrics, logs) is on only when it is set.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string DefaultServiceName = "gateway";

    /// <summary>Tracing on or off; default: on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public const string TracingKey = "Gateway:Telemetry:Tracing";

    /// <summary>
    /// ASP.NET Core's and HttpClient's per-request instruments on or off; default off. Each costs a tag-list
    /// aggregation per request; <c>gateway.request.duration</c> (one prebuilt tag) covers the dashboard without them.
    /// </summary>
    public const string HttpMetricsKey = "Gateway:Telemetry:HttpMetrics";

    // Seconds-based histograms get boundaries that fit them; the SDK's default boundaries are meant for milliseconds.
    private static readonly double[] FastBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
    private static readonly double[] RequestBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] RedisBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private static readonly double[] LagBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The gateway's metrics class (on <see cref="System.Diagnostics.Metrics.IMeterFactory"/>).</summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        return services;
    }

    /// <summary>
    /// Logs (console format from <c>Gateway:Logging</c>, refusal summary), OpenTelemetry traces and metrics, the
    /// Prometheus exporter, and OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Configuration errors are
    /// added to <paramref name="errors"/>, each naming its key.
    /// </summary>
    public static WebApplicationBuilder AddGatewayObservability(this WebApplicationBuilder builder, List<string> errors)
    {
        var configuration = builder.Configuration;
        var logging = new LoggingOptions();
        configuration.GetSection(LoggingOptions.SectionName).Bind(logging);
        GatewayLogging.Validate(logging, errors);
        GatewayLogging.Configure(builder.Services, logging);

        var services = builder.Services;
        services.AddOptions<LoggingOptions>().Bind(configuration.GetSection(LoggingOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddGatewayTelemetry();
        services.AddHostedService<RefusalSummaryService>();

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : DefaultServiceName,
                serviceVersion: typeof(GatewayMetrics).Assembly.GetName().Version?.ToString()));

        // Spans are only made when someone can receive them: with no exporter, an always-on tracer would cost every
        // request three activities for nothing (measured: a visible share of the hot path).
        if (Switch(configuration, TracingKey, errors) ?? otlp)
        {
            otel.WithTracing(tracing => tracing
                .AddSource(GatewayActivitySource.Name)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsOperationsPath(context.Request.Path))
                .AddHttpClientInstrumentation());
        }

        // Kestrel's meter counts per connection, not per request. ASP.NET Core's and HttpClient's request meters cost
        // about as much per request as the whole gate check of a reused token (measured, README "Performance"): opt-in.
        string[] httpMeters = Switch(configuration, HttpMetricsKey, errors) == true ? ["Microsoft.AspNetCore.Hosting", "System.Net.Http"] : [];
        otel.WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName)
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
                .AddMeter(httpMeters)
                .AddView("gateway.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = RequestBoundaries })
                .AddView("gateway.token.verify.duration", new ExplicitBucketHistogramConfiguration { Boundaries = FastBoundaries })
                .AddView("gateway.redis.duration", new ExplicitBucketHistogramConfiguration { Boundaries = RedisBoundaries })
                .AddView("gateway.revocation.lag", new ExplicitBucketHistogramConfiguration { Boundaries = LagBoundaries })
                .AddPrometheusExporter(prometheus =>
                {
                    // Names as documented in README: dots to underscores, unit and _total suffixes.
                    prometheus.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithSuffixes;
                    // The admin listener is private; every scrape sees current values.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                }));

        if (otlp)
        {
            // The exporter reads the endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables.
            otel.UseOtlpExporter();
        }

        return builder;
    }

    // A switch that is neither true nor false fails start-up naming its key, rather than throwing from the binder.
    private static bool? Switch(ConfigurationManager configuration, string key, List<string> errors)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (Gate.Rules.RuleValues.TryParseFlag(text, out var value, out var error))
        {
            return value;
        }

        errors.Add($"{key}: {error}");
        return null;
    }

    /// <summary>The Prometheus scrape endpoint <c>/metrics</c>, on the admin listener only, no API key.</summary>
    public static IEndpointConventionBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(AdminEndpointMetadata.Instance);

    /// <summary>Scrapes and probes are not traced: they would drown the requests that matter.</summary>
    internal static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(HealthServiceCollectionExtensions.LivePath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(HealthServiceCollectionExtensions.ReadyPath, StringComparison.OrdinalIgnoreCase);
}
