using Gateway.Hosting;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

public static class HealthServiceCollectionExtensions
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>Tag of the checks behind <c>/healthz</c>.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks behind <c>/readyz</c>; a check added elsewhere with this tag joins readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Liveness and readiness checks, their background probe (for the health gauge), and graceful shutdown.</summary>
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        services.AddOptions<ShutdownOptions>().Bind(configuration.GetSection(ShutdownOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddGatewayTelemetry();

        services.AddSingleton<ShutdownState>();
        services.AddHostedService<GracefulShutdown>();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.Delay + shutdown.Value.Timeout);

        services.AddHealthChecks()
            .AddCheck<ProcessHealthCheck>("process", tags: [LiveTag])
            .AddCheck<IssuersHealthCheck>("issuers", tags: [ReadyTag])
            .AddCheck<SessionStoreHealthCheck>("session_store", tags: [ReadyTag])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [ReadyTag]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<HealthOptions>>((checks, health) =>
        {
            foreach (var registration in checks.Registrations)
            {
                registration.Timeout = health.Value.CheckTimeout;
            }
        });
        services.AddSingleton<IHealthCheckPublisher, HealthMetricsPublisher>();
        services.AddOptions<HealthCheckPublisherOptions>().Configure<IOptions<HealthOptions>>((publisher, health) =>
        {
            publisher.Delay = TimeSpan.FromSeconds(1);
            publisher.Period = health.Value.ProbeInterval;
            publisher.Timeout = health.Value.CheckTimeout + TimeSpan.FromSeconds(1);
        });
        return services;
    }

    /// <summary>
    /// <c>/healthz</c> and <c>/readyz</c> on the admin listener, and on the public one too when
    /// <c>Gateway:Health:PublicEndpoints</c> is true. No API key; 503 when a check fails.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<HealthOptions>>().Value;
        object listener = options.PublicEndpoints ? AnyListenerEndpointMetadata.Instance : AdminEndpointMetadata.Instance;
        endpoints.MapHealthChecks(LivePath, Options(LiveTag)).WithMetadata(listener).WithDisplayName("Gateway liveness");
        endpoints.MapHealthChecks(ReadyPath, Options(ReadyTag)).WithMetadata(listener).WithDisplayName("Gateway readiness");
        return endpoints;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = HealthResponseWriter.WriteAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };
}
