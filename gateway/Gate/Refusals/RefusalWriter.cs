using Microsoft.AspNetCore.Http;

namespace Gateway.Gate.Refusals;

/// <summary>Writes a <see cref="Refusal"/>: status, challenge, <c>Cache-Control: no-store</c> and the problem+json body.</summary>
public static class RefusalWriter
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Seconds a client should wait after a 503 (the store reconnects within about that).</summary>
    public const string RetryAfterSeconds = "2";

    public static Task WriteAsync(HttpContext context, Refusal refusal)
    {
        var response = context.Response;
        response.StatusCode = refusal.Status;
        if (refusal.Challenge is not null)
        {
            response.Headers.WWWAuthenticate = refusal.Challenge;
        }

        if (refusal.Reason.Shape == RefusalShape.Unavailable)
        {
            response.Headers.RetryAfter = RetryAfterSeconds;
        }

        response.Headers.CacheControl = "no-store";
        response.ContentType = ProblemJson;
        response.ContentLength = refusal.Body.Length;
        return response.Body.WriteAsync(refusal.Body).AsTask();
    }
}
