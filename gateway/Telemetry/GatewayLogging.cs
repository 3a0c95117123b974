using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Telemetry;

/// <summary>The console formatter chosen by <c>Gateway:Logging:Format</c>.</summary>
internal static class GatewayLogging
{
    /// <summary>ASP.NET Core's per-request log category (request starting/finished at Information).</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void Validate(LoggingOptions options, List<string> errors)
    {
        if (options.Format is not (LoggingOptions.SimpleFormat or LoggingOptions.JsonFormat))
        {
            errors.Add($"{LoggingOptions.SectionName}:Format: '{options.Format}' is not {LoggingOptions.SimpleFormat} or {LoggingOptions.JsonFormat}");
        }

        if (options.RefusalSummaryInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{LoggingOptions.SectionName}:RefusalSummaryInterval: must be at least 00:00:01");
        }
    }

    /// <summary>
    /// Chooses the console provider's formatter (the host adds the provider). Only options are set, so a host that
    /// removed the console provider (tests) gets no console output back.
    /// </summary>
    public static void Configure(IServiceCollection services, LoggingOptions options)
    {
        // Scopes stay off in both formats: ASP.NET's request scope carries the request path, and a client may put
        // a token there; without scopes, no log line repeats anything the client sent.
        var json = options.Format == LoggingOptions.JsonFormat;
        services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = json ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
        services.Configure<JsonConsoleFormatterOptions>(formatter =>
        {
            formatter.IncludeScopes = false;
            formatter.UseUtcTimestamp = true;
            formatter.TimestampFormat = Timestamp.TrimEnd();
            formatter.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
        });
        // ASP.NET Core starts an Activity for every request as soon as its hosting category logs at any level (for log
        // scopes, which stay off here), and HttpClient then starts a child and writes traceparent upstream: measured, a
        // visible share of a reused token's cost. Off by default; a configured level for the category still wins
        // (inserted first, so an equally specific rule from configuration comes later and is chosen).
        services.Configure<LoggerFilterOptions>(filters =>
        {
            filters.Rules.Insert(0, new LoggerFilterRule(null, HostingDiagnosticsCategory, LogLevel.None, null));

            // Kestrel begins a log scope per connection. Captured, it is an AsyncLocal that every await of every request
            // on that connection carries (a non-default execution context: the thread pool takes its slower path for
            // each continuation). No formatter here prints scopes, so none is captured.
            filters.CaptureScopes = false;
        });
        services.Configure<SimpleConsoleFormatterOptions>(formatter =>
        {
            formatter.IncludeScopes = false;
            formatter.SingleLine = true;
            formatter.UseUtcTimestamp = true;
            formatter.TimestampFormat = Timestamp;
        });
    }
}
