using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Telemetry;

/// <summary>The console formatter chosen by <c>Gateway:Logging:Format</c>.</summary>
internal static class GatewayLogging
{
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

    public static void Configure(ILoggingBuilder logging, LoggingOptions options)
    {
        // Scopes stay off in both formats: ASP.NET's request scope carries the request path, and a client may put
        // a token there; without scopes, no log line repeats anything the client sent.
        if (options.Format == LoggingOptions.JsonFormat)
        {
            logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = false;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = Timestamp.TrimEnd();
                json.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(simple =>
            {
                simple.IncludeScopes = false;
                simple.SingleLine = true;
                simple.UseUtcTimestamp = true;
                simple.TimestampFormat = Timestamp;
                simple.ColorBehavior = LoggerColorBehavior.Default;
            });
        }
    }
}
