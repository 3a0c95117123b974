using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Health;

/// <summary>
/// Writes a health report as <c>{"status":"healthy","checks":{"issuers":{"status":"healthy","detail":"..."}}}</c>:
/// each check's state and a short detail, never an exception message or a stack trace.
/// </summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Word(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Word(entry.Status));
            json.WriteString("detail", entry.Description ?? entry.Exception?.GetType().Name ?? string.Empty);
            foreach (var (key, value) in entry.Data)
            {
                json.WriteString(key, value?.ToString());
            }

            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
