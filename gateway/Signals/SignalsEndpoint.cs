using Gateway.Hosting;
using Gateway.Gate.Refusals;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Signals;

/// <summary>
/// <c>POST /signals/events</c> on the public listener: RFC 8935 push delivery of one SET
/// (<c>application/secevent+jwt</c>, at most 64 KiB). <c>202</c> when accepted (also for unknown event types and
/// unmappable subjects, and for a SET already processed); <c>400</c> with <c>{"err","description"}</c> (RFC 8935 §2.3)
/// when refused; <c>503</c> with <c>Retry-After</c> while the session store is unreachable, so the transmitter retries.
/// </summary>
public static class SignalsEndpoint
{
    public const string Path = "/signals/events";

    public static IEndpointRouteBuilder MapGatewaySignals(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<SetVerifier>().Enabled)
        {
            endpoints.MapPost(Path, (HttpContext http, SignalProcessor processor) => HandleAsync(http, processor)).DisableAntiforgery();
        }

        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, SignalProcessor processor)
    {
        context.Response.Headers.CacheControl = "no-store";
        var request = context.Request;
        if (request.ContentType is not { } type || !type.Split(';')[0].Trim().Equals("application/secevent+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return Error("invalid_request", "the body must be application/secevent+jwt");
        }

        if (await BoundedBody.ReadAsync(context, SetVerifier.MaxSetSize) is not var (buffer, length))
        {
            return Error("invalid_request", "the SET is larger than 64 KiB");
        }

        // A compact JWS is ASCII; anything else fails verification as malformed.
        var set = System.Text.Encoding.ASCII.GetString(buffer, 0, length).Trim();
        var outcome = await processor.ProcessAsync(set, "push", context.RequestAborted);
        switch (outcome.Status)
        {
            case SignalStatus.Accepted:
                return Results.StatusCode(StatusCodes.Status202Accepted);
            case SignalStatus.Unavailable:
                context.Response.Headers.RetryAfter = RefusalWriter.RetryAfterSeconds;
                return Results.Json(new Dictionary<string, string> { ["err"] = "temporarily_unavailable", ["description"] = Reasons.StoreUnavailable.Code },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            default:
                return Error(outcome.Error!, outcome.Description!);
        }
    }

    private static IResult Error(string err, string description) =>
        Results.Json(new Dictionary<string, string> { ["err"] = err, ["description"] = description }, statusCode: StatusCodes.Status400BadRequest);
}
