using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gateway.Proxy;

/// <summary>
/// Refusal responses: 401 with an RFC 6750 challenge naming the reason and a small problem+json body, RFC 9470
/// step-up challenges, and 503 with Retry-After when the session store is unreachable. Bodies are built once per
/// reason so a flood of bad tokens costs no serialisation.
/// </summary>
public static class Challenges
{
    public const string ProblemJson = "application/problem+json";
    private static readonly ConcurrentDictionary<string, byte[]> Bodies = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> Headers = new(StringComparer.Ordinal);

    public static Task WriteMissingAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, "Bearer", TokenReasons.Missing, "A bearer token is required.");

    public static Task WriteInvalidAsync(HttpContext context, string reason) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized,
            Headers.GetOrAdd(reason, static r => $"Bearer error=\"invalid_token\", error_description=\"{r}\""),
            reason, "The token was refused.");

    public static Task WriteStepUpAsync(HttpContext context, TimeSpan maxAge)
    {
        var seconds = (long)maxAge.TotalSeconds;
        var header = $"Bearer error=\"insufficient_user_authentication\", error_description=\"{SessionReasons.TokenTooOld}\", max_age={seconds}";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, header, SessionReasons.TokenTooOld, "A more recent authentication is required.");
    }

    public static Task WriteUnavailableAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "2";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, null, SessionReasons.StoreUnavailable, "Session state cannot be checked right now; retry shortly.");
    }

    private static Task WriteAsync(HttpContext context, int status, string? challenge, string reason, string title)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (challenge is not null)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        response.Headers.CacheControl = "no-store";
        response.ContentType = ProblemJson;
        var body = Bodies.GetOrAdd($"{status}|{reason}", static (_, s) => Build(s.status, s.reason, s.title), (status, reason, title));
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    private static byte[] Build(int status, string reason, string title) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "urn:gateway:error:" + reason,
            ["title"] = title,
            ["status"] = status,
            ["reason"] = reason,
        }));
}
