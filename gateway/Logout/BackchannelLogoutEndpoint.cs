using System.Text.Json;
using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using SessionOptions = Gateway.Sessions.SessionOptions;

namespace Gateway.Logout;

/// <summary>
/// <c>POST /backchannel-logout</c> (OpenID Connect Back-Channel Logout 1.0): a form-encoded <c>logout_token</c>
/// signed by a configured issuer, with an accepted <c>aud</c>, <c>sub</c> (and optionally <c>sid</c>), <c>iat</c>
/// (recent), <c>exp</c>, <c>jti</c> (not replayed), the back-channel-logout event, no <c>nonce</c>, and <c>typ</c>
/// absent or <c>logout+jwt</c>. Revokes the session, or the user when only <c>sub</c> is given.
/// </summary>
public static partial class BackchannelLogoutEndpoint
{
    public const string Path = "/backchannel-logout";
    public const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private const long MaxFormSize = 16 * 1024;

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

    private static async Task<IResult> HandleAsync(HttpContext context, TokenVerifier verifier, ISessionStore store, TimeProvider time,
        IOptions<BackchannelLogoutOptions> options, IOptions<SessionOptions> sessions, IOptions<TokenOptions> tokens, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(BackchannelLogoutEndpoint));
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return Error("the request must be application/x-www-form-urlencoded");
        }

        if (context.Request.ContentLength > MaxFormSize)
        {
            return Error("the request body is too large");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { ValueLengthLimit = (int)MaxFormSize, KeyLengthLimit = 64, ValueCountLimit = 16 }, context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Error("the form could not be read");
        }

        if (form["logout_token"] is not { Count: 1 } values || string.IsNullOrEmpty(values[0]))
        {
            return Error("logout_token is required");
        }

        var token = values[0]!;
        // Types are checked below (absent or logout+jwt), not against the issuer's access-token types.
        var (result, jwt) = await verifier.VerifyFreshAsync(token, [], context.RequestAborted);
        if (result.Token is not { } verified || jwt is null)
        {
            Log.Refused(logger, result.Reason ?? TokenReasons.Invalid);
            return result.Reason == TokenReasons.MissingClaim
                ? Error("the logout token must carry sub, iat and exp (sid-only logout tokens are not accepted)")
                : Error($"the logout token was refused: {result.Reason}");
        }

        if (jwt.Typ is { Length: > 0 } typ && !string.Equals(typ, "logout+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return Error("typ must be absent or logout+jwt");
        }

        if (!HasLogoutEvent(jwt.EncodedPayload, out var hasNonce) || hasNonce)
        {
            return Error(hasNonce ? "a logout token must not carry a nonce" : "the events claim must hold the back-channel-logout event");
        }

        if (verified.TokenId is null)
        {
            return Error("jti is required");
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var skew = (long)tokens.Value.ClockSkew.TotalSeconds;
        if (now - verified.IssuedAt > (long)options.Value.MaxTokenAge.TotalSeconds + skew || verified.IssuedAt - now > skew)
        {
            return Error("iat is not recent");
        }

        try
        {
            if (!await store.TryMarkOnceAsync(verified.Subject, "logout:" + verified.TokenId, verified.ExpiresAt, context.RequestAborted))
            {
                return Error("the logout token was already used (jti replayed)");
            }

            if (verified.SessionId is { } sid)
            {
                await store.RevokeSessionAsync(verified.Subject, sid, now + (long)sessions.Value.MaxSessionLifetime.TotalSeconds, context.RequestAborted);
            }
            else
            {
                await store.RevokeUserAsync(verified.Subject, now, context.RequestAborted);
            }
        }
        catch (SessionStoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "2";
            return Results.Json(new { error = "temporarily_unavailable", error_description = SessionReasons.StoreUnavailable }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        Log.LoggedOut(logger, verified.SessionId is null ? "user" : "session");
        return Results.Ok();
    }

    private static bool HasLogoutEvent(string encodedPayload, out bool hasNonce)
    {
        hasNonce = false;
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
            hasNonce = payload.RootElement.TryGetProperty("nonce", out _);
            return payload.RootElement.TryGetProperty("events", out var events) && events.ValueKind == JsonValueKind.Object &&
                events.TryGetProperty(LogoutEvent, out var logout) && logout.ValueKind == JsonValueKind.Object;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static IResult Error(string description) =>
        Results.Json(new { error = "invalid_request", error_description = description }, statusCode: StatusCodes.Status400BadRequest);

    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Back-channel logout revoked a {Scope}")]
        public static partial void LoggedOut(ILogger logger, string scope);

        [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Back-channel logout token refused: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);
    }
}
