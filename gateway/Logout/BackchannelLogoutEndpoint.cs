using Gateway.Gate.Refusals;
using Gateway.Hosting;
using Gateway.Sessions;
using SessionOptions = Gateway.Sessions.SessionOptions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Logout;

/// <summary>
/// <c>POST /backchannel-logout</c> (OpenID Connect Back-Channel Logout 1.0): a form-encoded <c>logout_token</c>
/// (at most 16 KiB, read no further) signed by a configured issuer and addressed to one of its
/// <c>LogoutAudiences</c>. With a <c>sid</c> the session dies, and so do that user's tokens of that client that carry
/// no <c>sid</c> and were issued at or before the logout; without one, every token of the user issued at or before
/// it. The replay guard is written after the revocation, so a logout that failed half-way can be retried.
/// </summary>
public static partial class BackchannelLogoutEndpoint
{
    public const string Path = "/backchannel-logout";
    public const string LogoutEvent = JwtVerifier.LogoutEvent;
    private const int MaxFormSize = 16 * 1024;

    public static IServiceCollection AddGatewayBackchannelLogout(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackchannelLogoutOptions>().Bind(configuration.GetSection(BackchannelLogoutOptions.SectionName))
            .Validate(o => o.MaxTokenAge >= TimeSpan.FromSeconds(10), $"{BackchannelLogoutOptions.SectionName}:MaxTokenAge: must be at least 00:00:10")
            .ValidateOnStart();
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayBackchannelLogout(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<BackchannelLogoutOptions>>().Value.Enabled)
        {
            endpoints.MapPost(Path, HandleAsync).DisableAntiforgery();
        }

        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, JwtVerifier verifier, ISessionStore store, TimeProvider time, GatewayMetrics metrics,
        IOptions<BackchannelLogoutOptions> options, IOptions<SessionOptions> sessions, IOptions<TokenOptions> tokens, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(BackchannelLogoutEndpoint));
        context.Response.Headers.CacheControl = "no-store";
        IResult Refuse(string reason, string description)
        {
            metrics.Logout(reason);
            Log.Refused(logger, reason, description);
            return Error(description);
        }

        var (token, formError) = await ReadLogoutTokenAsync(context);
        if (token is null)
        {
            return Refuse("invalid_request", formError!);
        }

        var result = await verifier.VerifyLogoutTokenAsync(token, context.RequestAborted);
        if (result.Token is not { } logout)
        {
            return Refuse(result.Reason!, result.Error!);
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)tokens.Value.ClockSkew.TotalSeconds;
        if (now - logout.IssuedAt > (long)options.Value.MaxTokenAge.TotalSeconds + skew || logout.IssuedAt - now > skew)
        {
            return Refuse("stale_iat", "iat is not recent");
        }

        try
        {
            var until = now + (long)sessions.Value.MaxSessionLifetime.TotalSeconds;
            if (logout.SessionId is { } sid)
            {
                await store.RevokeSessionAsync(logout.User, sid, until, context.RequestAborted);

                // Access tokens need not carry sid (RFC 9068): this client's sid-less tokens issued up to the logout go too.
                await store.RevokeClientTokensAsync(logout.User, logout.Client, logout.IssuedAt, until, context.RequestAborted);
            }
            else
            {
                await store.RevokeUserAsync(logout.User, logout.IssuedAt, context.RequestAborted);
            }

            // Only now: a logout whose revocation failed above can be sent again with the same token.
            if (!await store.TryMarkOnceAsync(logout.User, "logout:" + logout.TokenId, logout.ExpiresAt, context.RequestAborted))
            {
                return Refuse("replayed", "the logout token was already used (jti replayed)");
            }
        }
        catch (SessionStoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = RefusalWriter.RetryAfterSeconds;
            metrics.Logout(Reasons.StoreUnavailable.Code);
            return Results.Json(new { error = "temporarily_unavailable", error_description = Reasons.StoreUnavailable.Code }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        metrics.Logout(null);
        Log.LoggedOut(logger, logout.SessionId is null ? "user (every token issued up to the logout)" : "session and the client's tokens without sid");
        return Results.Ok();
    }

    // Only application/x-www-form-urlencoded, and never more than 16 KiB read: a multipart body is not spooled to disk.
    private static async Task<(string? Token, string? Error)> ReadLogoutTokenAsync(HttpContext context)
    {
        var (form, error, tooLarge) = await FormBody.ReadAsync(context, MaxFormSize);
        if (form is null)
        {
            return (null, tooLarge ? "the request body is larger than 16 KiB" : error);
        }

        if (!form.TryGetSingle("logout_token", out var token) || string.IsNullOrEmpty(token))
        {
            return (null, "logout_token is required (once)");
        }

        return (token, null);
    }

    private static IResult Error(string description) =>
        Results.Json(new { error = "invalid_request", error_description = description }, statusCode: StatusCodes.Status400BadRequest);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.LogoutApplied, Level = LogLevel.Information, Message = "Back-channel logout revoked a {Scope}")]
        public static partial void LoggedOut(ILogger logger, string scope);

        [LoggerMessage(EventId = LogEvents.LogoutRefused, Level = LogLevel.Warning, Message = "Back-channel logout token refused ({Reason}): {Description}")]
        public static partial void Refused(ILogger logger, string reason, string description);
    }
}
