using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionOptions = Gateway.Sessions.SessionOptions;

namespace Gateway.Admin;

/// <summary>The admin API's calls (DESIGN.md's table). Each one is audited: caller key id, action, target ids, outcome.</summary>
internal sealed partial class AdminActions
{
    internal const string KeyIdItem = "Gateway.Admin.KeyId";
    private const string RevokedWhy = "revoked";

    private readonly ISessionStore _store;
    private readonly TokenVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly AdminOptions _options;
    private readonly TokenOptions _tokens;
    private readonly SessionOptions _sessions;
    private readonly ILogger<AdminActions> _logger;

    public AdminActions(ISessionStore store, TokenVerifier verifier, TimeProvider time, GatewayMetrics metrics, IOptions<AdminOptions> options,
        IOptions<TokenOptions> tokens, IOptions<SessionOptions> sessions, ILogger<AdminActions> logger)
    {
        _store = store;
        _verifier = verifier;
        _time = time;
        _metrics = metrics;
        _options = options.Value;
        _tokens = tokens.Value;
        _sessions = sessions.Value;
        _logger = logger;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public Task<IResult> RevokeTokenAsync(HttpContext context) => RunAsync(context, "revoke_token", async (body, audit) =>
    {
        string sub, jti;
        long exp;
        if (body.Has("token"))
        {
            if (!body.TryGetToken(_tokens.MaxTokenSize, out var token, out var error))
            {
                return error!;
            }

            // Revoking by presenting the token: its signature is verified first, so nobody revokes what they cannot show.
            var (result, _) = await _verifier.VerifyFreshAsync(token!, null, context.RequestAborted);
            if (result.Token is not { } verified)
            {
                return Problems.BadRequest("token", $"the token was refused: {result.Reason}");
            }

            if (verified.TokenId is null)
            {
                return Problems.BadRequest("token", "the token has no jti claim; revoke its session or its user instead");
            }

            (sub, jti, exp) = (verified.Subject, verified.TokenId, verified.ExpiresAt);
        }
        else
        {
            if (!body.TryGetId("sub", true, out var s, out var error) || !body.TryGetId("jti", true, out var j, out error) ||
                !body.TryGetExp(true, Now, out var e, out error))
            {
                return error!;
            }

            (sub, jti, exp) = (s!, j!, e!.Value);
        }

        audit.Target(sub, null, jti);
        await _store.RevokeTokenAsync(sub, jti, exp, RevokedWhy, context.RequestAborted);
        return Results.Json(new { sub, jti, exp, revoked = true });
    });

    public Task<IResult> RevokeSessionAsync(HttpContext context) => RunAsync(context, "revoke_session", async (body, audit) =>
    {
        if (!body.TryGetId("sub", true, out var sub, out var error) || !body.TryGetId("sid", true, out var sid, out error) ||
            !body.TryGetExp(false, Now, out var exp, out error))
        {
            return error!;
        }

        audit.Target(sub, sid, null);
        // Session ids are never reused, so without an exp the sid stays dead for the longest session lifetime.
        var until = exp ?? Now + (long)_sessions.MaxSessionLifetime.TotalSeconds;
        await _store.RevokeSessionAsync(sub!, sid!, until, context.RequestAborted);
        return Results.Json(new { sub, sid, exp = until, revoked = true });
    });

    public Task<IResult> RevokeUserAsync(HttpContext context) => RunAsync(context, "revoke_user", async (body, audit) =>
    {
        if (!body.TryGetId("sub", true, out var sub, out var error))
        {
            return error!;
        }

        audit.Target(sub, null, null);
        var cutoff = Now;
        var version = await _store.RevokeUserAsync(sub!, cutoff, context.RequestAborted);
        return Results.Json(new { sub, version, cutoff });
    });

    public Task<IResult> ActivateSessionAsync(HttpContext context) => RunAsync(context, "activate_session", async (body, audit) =>
    {
        if (!body.TryGetId("sub", true, out var sub, out var error) || !body.TryGetId("sid", true, out var sid, out error))
        {
            return error!;
        }

        audit.Target(sub, sid, null);
        await _store.ActivateSessionAsync(sub!, sid!, _sessions.MaxSessionLifetime, context.RequestAborted);
        return Results.Json(new { sub, activeSession = sid });
    });

    public Task<IResult> IntrospectAsync(HttpContext context) => RunAsync(context, "introspect", async (body, audit) =>
    {
        if (!body.TryGetToken(_tokens.MaxTokenSize, out var token, out var error))
        {
            return error!;
        }

        var (result, _) = await _verifier.VerifyFreshAsync(token!, null, context.RequestAborted);
        if (result.Token is not { } verified)
        {
            return Results.Json(new IntrospectionResult(false, result.Reason, null, null, null, null));
        }

        audit.Target(verified.Subject, verified.SessionId, verified.TokenId);
        var state = await _store.ReadAsync(verified.Subject, verified.SessionId, verified.TokenId, context.RequestAborted);
        var reason = SessionGuard.Judge(verified, state, singleSession: false);
        return Results.Json(new IntrospectionResult(reason is null, reason, verified.Subject, verified.SessionId, verified.TokenId, verified.ExpiresAt));
    });

    public Task<IResult> GetUserAsync(HttpContext context, string sub) => RunAsync(context, "get_user", async (_, audit) =>
    {
        if (sub.Length is 0 or > 256 || sub.Any(char.IsControl))
        {
            return Problems.BadRequest("sub", "'sub' must be 1 to 256 characters without control characters");
        }

        audit.Target(sub, null, null);
        var user = await _store.GetUserAsync(sub, context.RequestAborted);
        return Results.Json(new { sub = user.Sub, version = user.Version, cutoff = user.Cutoff, activeSession = user.ActiveSession });
    }, readsBody: false);

    private async Task<IResult> RunAsync(HttpContext context, string action, Func<AdminBody, Audit, Task<IResult>> handler, bool readsBody = true)
    {
        var audit = new Audit();
        var keyId = context.Items[KeyIdItem] as string ?? "none";
        IResult result;
        string outcome;
        AdminBody? body = null;
        try
        {
            if (readsBody)
            {
                (body, var error) = await AdminBody.ReadAsync(context, _options.MaxBodySize);
                if (error is not null)
                {
                    Finish(action, keyId, audit, "bad_request");
                    return error;
                }
            }

            result = await handler(body!, audit);
            outcome = result is IStatusCodeHttpResult { StatusCode: >= 400 } ? "bad_request" : "ok";
        }
        catch (SessionStoreUnavailableException)
        {
            context.Response.Headers.RetryAfter = "2";
            result = Problems.Status(StatusCodes.Status503ServiceUnavailable, null, $"{SessionReasons.StoreUnavailable}: the session store is unreachable; the write may not have been applied, retry it (revocations are idempotent)");
            outcome = "unavailable";
        }
        finally
        {
            body?.Dispose();
        }

        Finish(action, keyId, audit, outcome);
        return result;
    }

    private void Finish(string action, string keyId, Audit audit, string outcome)
    {
        _metrics.AdminCall(action, outcome);
        Log.Audit(_logger, keyId, action, audit.Sub ?? "-", audit.Sid ?? "-", audit.Jti ?? "-", outcome);
    }

    internal sealed record IntrospectionResult(bool Active, string? Reason, string? Sub, string? Sid, string? Jti, long? Exp);

    private sealed class Audit
    {
        public string? Sub { get; private set; }
        public string? Sid { get; private set; }
        public string? Jti { get; private set; }

        public void Target(string? sub, string? sid, string? jti) => (Sub, Sid, Jti) = (sub, sid, jti);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Admin audit: key {KeyId} {Action} sub={Sub} sid={Sid} jti={Jti} outcome={Outcome}")]
        public static partial void Audit(ILogger logger, string keyId, string action, string sub, string sid, string jti, string outcome);
    }
}
