using Gateway.Gate.Refusals;
using Gateway.Sessions;
using Gateway.Sessions.Rules;
using SessionOptions = Gateway.Sessions.SessionOptions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// The admin API's calls (DESIGN.md's table). Each one is audited: caller key id, action, issuer, pseudonyms of the
/// ids it touched (<see cref="AuditIds"/>: the log never holds a claim value) and outcome.
/// </summary>
internal sealed partial class AdminActions
{
    internal const string KeyIdItem = "Gateway.Admin.KeyId";
    private const string RevokedWhy = "revoked";

    private readonly ISessionStore _store;
    private readonly IRuleStore _ruleStore;
    private readonly RevocationRules _rules;
    private readonly TokenVerifier _verifier;
    private readonly JwtVerifier _jwt;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly AdminOptions _options;
    private readonly TokenOptions _tokens;
    private readonly SessionOptions _sessions;
    private readonly AuditTrail _trail;
    private readonly ILogger<AdminActions> _logger;

    public AdminActions(ISessionStore store, IRuleStore ruleStore, RevocationRules rules, TokenVerifier verifier, JwtVerifier jwt, TimeProvider time, GatewayMetrics metrics, IOptions<AdminOptions> options,
        IOptions<TokenOptions> tokens, IOptions<SessionOptions> sessions, AuditTrail trail, ILogger<AdminActions> logger)
    {
        _store = store;
        _ruleStore = ruleStore;
        _rules = rules;
        _verifier = verifier;
        _jwt = jwt;
        _time = time;
        _metrics = metrics;
        _options = options.Value;
        _tokens = tokens.Value;
        _sessions = sessions.Value;
        _trail = trail;
        _logger = logger;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public Task<IResult> RevokeTokenAsync(HttpContext context) => RunAsync(context, "revoke_token", async (body, audit) =>
    {
        UserKey user;
        string jti;
        long exp;
        if (body.Has("token"))
        {
            if (!body.TryGetToken(_tokens.MaxTokenSize, out var token, out var error))
            {
                return error!;
            }

            // Revoking by presenting the token: its signature is verified first, so nobody revokes what they cannot show.
            var result = await _verifier.VerifyFreshAsync(token!, context.RequestAborted);
            if (result.Token is not { } verified)
            {
                return Problems.BadRequest("token", $"the token was refused: {result.Reason}");
            }

            if (verified.TokenId is null)
            {
                return Problems.BadRequest("token", "the token has no jti claim; revoke its session or its user instead");
            }

            (user, jti, exp) = (verified.User, verified.TokenId, verified.ExpiresAt);
        }
        else
        {
            if (!TryGetUser(body, out var u, out var error) || !body.TryGetId("jti", true, out var j, out error) ||
                !body.TryGetExp(true, Now, out var e, out error))
            {
                return error!;
            }

            (user, jti, exp) = (u, j!, e!.Value);
        }

        audit.Target(user, null, jti);
        await _store.RevokeTokenAsync(user, jti, exp, RevokedWhy, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = user.Subject, jti, exp, revoked = true });
    });

    public Task<IResult> RevokeSessionAsync(HttpContext context) => RunAsync(context, "revoke_session", async (body, audit) =>
    {
        if (!TryGetUser(body, out var user, out var error) || !body.TryGetId("sid", true, out var sid, out error) ||
            !body.TryGetExp(false, Now, out var exp, out error))
        {
            return error!;
        }

        audit.Target(user, sid, null);

        // Session ids are never reused, so without an exp the sid stays dead for the longest session lifetime.
        var until = exp ?? Now + (long)_sessions.MaxSessionLifetime.TotalSeconds;
        await _store.RevokeSessionAsync(user, sid!, until, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = user.Subject, sid, exp = until, revoked = true });
    });

    public Task<IResult> RevokeUserAsync(HttpContext context) => RunAsync(context, "revoke_user", async (body, audit) =>
    {
        if (!TryGetUser(body, out var user, out var error))
        {
            return error!;
        }

        audit.Target(user, null, null);
        var cutoff = Now;
        var version = await _store.RevokeUserAsync(user, cutoff, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = user.Subject, version, cutoff });
    });

    public Task<IResult> ActivateSessionAsync(HttpContext context) => RunAsync(context, "activate_session", async (body, audit) =>
    {
        if (!TryGetUser(body, out var user, out var error) || !body.TryGetId("sid", true, out var sid, out error))
        {
            return error!;
        }

        audit.Target(user, sid, null);
        await _store.ActivateSessionAsync(user, sid!, _sessions.MaxSessionLifetime, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = user.Subject, activeSession = sid });
    });

    public Task<IResult> IntrospectAsync(HttpContext context) => RunAsync(context, "introspect", async (body, audit) =>
    {
        if (!body.TryGetToken(_tokens.MaxTokenSize, out var token, out var error))
        {
            return error!;
        }

        var decision = await DecideAsync(token!, context.RequestAborted);
        if (decision.Token is { } verified)
        {
            audit.Target(verified.User, verified.SessionId, verified.TokenId);
        }

        return Results.Json(decision.ToResponse());
    });

    /// <summary>
    /// A revocation rule: every token of the issuer whose claim equals the value and that was issued at or before
    /// <c>before</c> (default now) is refused, until <c>exp</c> (default: before + the issuer's MaxTokenLifetime).
    /// </summary>
    public Task<IResult> RevokeRuleAsync(HttpContext context) => RunAsync(context, "revoke_rule", async (body, audit) =>
    {
        if (!body.TryGetString("claim", 256, out var claim, out var error) || !body.TryGetString("value", 1024, out var value, out error) ||
            !body.TryGetString("iss", 2048, out var iss, out error) || !body.TryGetSeconds("before", out var before, out error) ||
            !body.TryGetExp(false, Now, out var exp, out error))
        {
            return error!;
        }

        if (claim is null)
        {
            return Problems.BadRequest("claim", "'claim' is required: client_id, kid, iss or the issuer's TenantClaim");
        }

        if (value is null)
        {
            return Problems.BadRequest("value", "'value' is required");
        }

        // A rule on the issuer itself names the issuer in its value.
        if (claim == RevocationRule.IssuerClaim)
        {
            iss ??= value;
            if (!string.Equals(iss, value, StringComparison.Ordinal))
            {
                return Problems.BadRequest("value", "for claim 'iss' the value is the issuer, and 'iss' (if given) must be the same");
            }
        }

        if (!ResolveIssuer(iss, out var issuer, out error))
        {
            return claim == RevocationRule.IssuerClaim ? Problems.BadRequest("value", "'value' is not a configured issuer (the exact Gateway:Tokens:Issuers:N:Issuer string)") : error!;
        }

        var tenantClaim = _rules.TenantClaimOf(issuer);
        if (claim is not (RevocationRule.ClientIdClaim or RevocationRule.KeyIdClaim or RevocationRule.IssuerClaim) && claim != tenantClaim)
        {
            return Problems.BadRequest("claim", $"'claim' must be client_id, kid, iss{(tenantClaim is null ? "" : " or " + tenantClaim)} (the issuer's TenantClaim)");
        }

        var now = Now;
        var skew = (long)_tokens.ClockSkew.TotalSeconds;
        var cut = before ?? now;
        if (cut > now + skew)
        {
            return Problems.BadRequest("before", "'before' is in the future: tokens not yet issued cannot be judged by a rule");
        }

        var until = exp ?? cut + (long)_jwt.Find(issuer)!.MaxTokenLifetime.TotalSeconds + skew;
        if (until < now)
        {
            return Problems.BadRequest(exp is null ? "before" : "exp", "every token this rule could match has already expired: there is nothing to revoke");
        }

        var rule = RevocationRule.Create(issuer, claim, value, cut, until, now);
        audit.Target(new UserKey(issuer, "*"), null, rule.Id);
        await _ruleStore.AddAsync(rule, context.RequestAborted);
        _rules.Add(rule, now);
        return Results.Json(rule, RevocationRuleJson.Default.RevocationRule);
    });

    /// <summary>The revocation rules this instance enforces.</summary>
    public Task<IResult> ListRulesAsync(HttpContext context) => RunAsync(context, "list_rules", (_, _) =>
    {
        var now = Now;
        return Task.FromResult(Results.Json(new { rules = _rules.All.Where(r => r.Until >= now).ToList() }));
    }, readsBody: false);

    public Task<IResult> GetUserAsync(HttpContext context, string? sub) => RunAsync(context, "get_user", async (_, audit) =>
    {
        if (!TryGetUserFromQuery(context, sub, out var user, out var error))
        {
            return error!;
        }

        audit.Target(user, null, null);
        var state = await _store.GetUserAsync(user, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = state.Sub, version = state.Version, cutoff = state.Cutoff, activeSession = state.ActiveSession });
    }, readsBody: false);

    public Task<IResult> ListSessionsAsync(HttpContext context, string? sub) => RunAsync(context, "list_sessions", async (_, audit) =>
    {
        if (!TryGetUserFromQuery(context, sub, out var user, out var error))
        {
            return error!;
        }

        audit.Target(user, null, null);
        var sessions = await ListSessionViewsAsync(user, context.RequestAborted);
        return Results.Json(new
        {
            iss = user.Issuer,
            sub = user.Subject,
            sessions = sessions.Select(v => new
            {
                sid = v.Record.Sid,
                client = v.Record.Client,
                firstSeen = v.Record.FirstSeen,
                lastSeen = v.Record.LastSeen,
                newestIat = v.Record.NewestIat,
                loginAt = v.Record.LoginAt,
                userAgent = v.Record.Agent,
                network = v.Record.Address,
                state = v.State,
            }),
        });
    }, readsBody: false);

    public Task<IResult> RevokeSessionsExceptAsync(HttpContext context) => RunAsync(context, "revoke_sessions_except", async (body, audit) =>
    {
        if (!TryGetUser(body, out var user, out var error) || !body.TryGetId("sid", true, out var sid, out error))
        {
            return error!;
        }

        audit.Target(user, sid, null);
        var revoked = await RevokeAllButAsync(user, sid!, context.RequestAborted);
        return Results.Json(new { iss = user.Issuer, sub = user.Subject, kept = sid, revoked });
    });

    /// <summary>The user's inventory, most recently seen first, each session with its state now.</summary>
    internal async Task<IReadOnlyList<SessionView>> ListSessionViewsAsync(UserKey user, CancellationToken cancellationToken)
    {
        var sessions = await _store.ListSessionsAsync(user, cancellationToken);
        var views = new List<SessionView>(sessions.Count);
        foreach (var record in sessions)
        {
            var state = await _store.ReadAsync(user, record.Sid, null, null, cancellationToken);
            views.Add(new SessionView(record, SessionView.StateOf(record, state)));
        }

        return views;
    }

    /// <summary>Revokes every session of the user's inventory except <paramref name="keep"/>; returns the sids revoked.</summary>
    internal async Task<IReadOnlyList<string>> RevokeAllButAsync(UserKey user, string keep, CancellationToken cancellationToken)
    {
        var sessions = await _store.ListSessionsAsync(user, cancellationToken);
        var until = Now + (long)_sessions.MaxSessionLifetime.TotalSeconds;
        var revoked = new List<string>();
        foreach (var record in sessions.Where(r => !string.Equals(r.Sid, keep, StringComparison.Ordinal)))
        {
            await _store.RevokeSessionAsync(user, record.Sid, until, cancellationToken);
            revoked.Add(record.Sid);
        }

        return revoked;
    }

    /// <summary>The console's calls: the same store writes as the JSON API, audited the same way.</summary>
    internal async Task<(T? Value, string Outcome)> AuditedAsync<T>(string keyId, string action, UserKey? user, string? sid, string? jti, Func<Task<T>> work)
    {
        var audit = new Audit();
        if (user is { } target)
        {
            audit.Target(target, sid, jti);
        }

        try
        {
            var value = await work();
            Finish(action, keyId, audit, "ok");
            return (value, "ok");
        }
        catch (SessionStoreUnavailableException)
        {
            Finish(action, keyId, audit, "unavailable");
            return (default, "unavailable");
        }
    }

    /// <summary>Records a console call refused before it reached the store (bad input).</summary>
    internal void AuditRefused(string keyId, string action) => Finish(action, keyId, new Audit(), "bad_request");

    internal long SessionLifetimeSeconds => (long)_sessions.MaxSessionLifetime.TotalSeconds;

    internal long UnixNow => Now;

    /// <summary>The issuer a console form names (or the only one configured); null with a message otherwise.</summary>
    internal string? ResolveIssuer(string? iss, out string? problem)
    {
        if (ResolveIssuer(string.IsNullOrEmpty(iss) ? null : iss, out var issuer, out _))
        {
            problem = null;
            return issuer;
        }

        problem = string.IsNullOrEmpty(iss) ? $"choose an issuer: {_jwt.Issuers.Count()} are configured" : "not a configured issuer";
        return null;
    }

    internal IEnumerable<string> IssuerNames => _jwt.Issuers.Select(i => i.Issuer);

    internal ISessionStore Store => _store;

    public Task<IResult> RefreshKeysAsync(HttpContext context) => RunAsync(context, "refresh_keys", async (body, _) =>
    {
        if (!TryGetIssuer(body, out var issuer, out var error))
        {
            return error!;
        }

        var runtime = _jwt.Find(issuer)!;
        if (!runtime.Keys.IsRemote)
        {
            return Problems.BadRequest("iss", "this issuer's keys are configured inline (Jwks), there is nothing to refetch");
        }

        var before = runtime.Keys.Current;
        await runtime.Keys.RefreshAsync(context.RequestAborted);
        var after = runtime.Keys.Current;
        var withdrawn = before.All.Count(k => !after.Contains(k));
        return Results.Json(new
        {
            iss = issuer,
            keys = after.Count,
            withdrawn,
            skipped = after.Skipped,
            refreshed = !ReferenceEquals(before, after),
            problem = runtime.Keys.Problem,
        });
    });

    /// <summary>
    /// RFC 7009 revocation of a presented token: verified as <c>/admin/revoke/token</c> verifies it, then denylisted
    /// until its <c>exp</c>. A token the gateway would not accept anyway (forged, expired, another issuer's) answers
    /// 200 with nothing written (RFC 7009 §2.2); a valid token without <c>jti</c> cannot be denylisted on its own and
    /// answers 400 <c>unsupported_token_type</c>.
    /// </summary>
    internal Task<IResult> StandardRevokeAsync(HttpContext context, string keyId, string token) => RunStandardAsync(context, keyId, "oauth2_revoke", async audit =>
    {
        var result = await _verifier.VerifyFreshAsync(token, context.RequestAborted);
        if (result.Token is not { } verified)
        {
            return (Results.Ok(), "not_active");
        }

        audit.Target(verified.User, verified.SessionId, verified.TokenId);
        if (verified.TokenId is null)
        {
            return (StandardEndpoints.Error(StatusCodes.Status400BadRequest, "unsupported_token_type",
                "the token has no jti claim and cannot be revoked on its own; revoke its session or its user through the admin API"), "bad_request");
        }

        await _store.RevokeTokenAsync(verified.User, verified.TokenId, verified.ExpiresAt, RevokedWhy, context.RequestAborted);
        return (Results.Ok(), "ok");
    });

    /// <summary>RFC 7662 introspection: the same decision as <c>/admin/introspect</c> (<see cref="DecideAsync"/>).</summary>
    internal Task<IResult> StandardIntrospectAsync(HttpContext context, string keyId, string token) => RunStandardAsync(context, keyId, "oauth2_introspect", async audit =>
    {
        var decision = await DecideAsync(token, context.RequestAborted);
        if (decision.Token is { } verified)
        {
            audit.Target(verified.User, verified.SessionId, verified.TokenId);
        }

        return (Results.Json(decision.ToStandardResponse()), "ok");
    });

    private async Task<IResult> RunStandardAsync(HttpContext context, string keyId, string action, Func<Audit, Task<(IResult Result, string Outcome)>> handler)
    {
        var audit = new Audit();
        IResult result;
        string outcome;
        try
        {
            (result, outcome) = await handler(audit);
        }
        catch (SessionStoreUnavailableException)
        {
            // RFC 7009 §2.2.1: 503 with Retry-After; the client retries (revocations are idempotent).
            context.Response.Headers.RetryAfter = RefusalWriter.RetryAfterSeconds;
            result = StandardEndpoints.Error(StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", Reasons.StoreUnavailable.Code);
            outcome = "unavailable";
        }

        Finish(action, keyId, audit, outcome);
        return result;
    }

    /// <summary>What the gateway would decide for this token now, route rules aside.</summary>
    internal async Task<Introspection> DecideAsync(string token, CancellationToken cancellationToken)
    {
        var result = await _verifier.VerifyFreshAsync(token, cancellationToken);
        if (result.Token is not { } verified)
        {
            return new Introspection(null, result.Refusal);
        }

        if (_rules.Match(verified, Now) is { } rule)
        {
            return new Introspection(verified, Reasons.RevokedByRule, rule);
        }

        var client = verified.SessionId is null ? verified.ClientId : null;
        var state = await _store.ReadAsync(verified.User, verified.SessionId, verified.TokenId, client, cancellationToken);
        return new Introspection(verified, DecisionRules.Judge(verified, state));
    }

    // The user a body names: sub, and iss when more than one issuer is configured.
    private bool TryGetUser(AdminBody body, out UserKey user, out IResult? error)
    {
        user = default;
        if (!body.TryGetId("sub", true, out var sub, out error) || !TryGetIssuer(body, out var issuer, out error))
        {
            return false;
        }

        user = new UserKey(issuer, sub!);
        return true;
    }

    private bool TryGetIssuer(AdminBody body, out string issuer, out IResult? error)
    {
        issuer = "";
        return body.TryGetString("iss", 2048, out var iss, out error) && ResolveIssuer(iss, out issuer, out error);
    }

    private bool TryGetUserFromQuery(HttpContext context, string? routeSub, out UserKey user, out IResult? error)
    {
        user = default;
        var query = context.Request.Query;
        var sub = routeSub ?? (query["sub"].Count == 1 ? query["sub"][0] : null);
        if (sub is null)
        {
            error = Problems.BadRequest("sub", "'sub' is required (in the path, or as ?sub= for a sub containing '/')");
            return false;
        }

        if (!ClaimIds.IsValid(sub))
        {
            error = Problems.BadRequest("sub", $"'sub' must be {ClaimIds.Rule}");
            return false;
        }

        var iss = query["iss"].Count == 1 ? query["iss"][0] : null;
        if (!ResolveIssuer(iss, out var issuer, out error))
        {
            return false;
        }

        user = new UserKey(issuer, sub);
        return true;
    }

    // State is per (issuer, sub): with one issuer it is implied, with several the caller must say which.
    private bool ResolveIssuer(string? iss, out string issuer, out IResult? error)
    {
        issuer = "";
        error = null;
        if (iss is null)
        {
            var all = _jwt.Issuers.ToList();
            if (all.Count != 1)
            {
                error = Problems.BadRequest("iss", $"'iss' is required: {all.Count} issuers are configured ({string.Join(", ", all.Select(i => i.Issuer))})");
                return false;
            }

            issuer = all[0].Issuer;
            return true;
        }

        if (_jwt.Find(iss) is not { } runtime)
        {
            error = Problems.BadRequest("iss", "'iss' is not a configured issuer (the exact Gateway:Tokens:Issuers:N:Issuer string)");
            return false;
        }

        issuer = runtime.Issuer;
        return true;
    }

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
            context.Response.Headers.RetryAfter = RefusalWriter.RetryAfterSeconds;
            result = Problems.Status(StatusCodes.Status503ServiceUnavailable, null, $"{Reasons.StoreUnavailable.Code}: the session store is unreachable; the write may not have been applied, retry it (revocations are idempotent)");
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
        Log.Audit(_logger, keyId, action, audit.Issuer ?? "-", AuditIds.Pseudonym(audit.Sub), AuditIds.Pseudonym(audit.Sid), AuditIds.Pseudonym(audit.Jti), outcome);
        _trail.Add(new AuditEntry(_time.GetUtcNow(), keyId, action, audit.Issuer, audit.Sub, audit.Sid, audit.Jti, outcome));
    }

    private sealed class Audit
    {
        public string? Issuer { get; private set; }
        public string? Sub { get; private set; }
        public string? Sid { get; private set; }
        public string? Jti { get; private set; }

        public void Target(UserKey user, string? sid, string? jti) => (Issuer, Sub, Sid, Jti) = (user.Issuer, user.Subject, sid, jti);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AdminAudit, Level = LogLevel.Information, Message = "Admin audit: key {KeyId} {Action} iss={Issuer} sub={Sub} sid={Sid} jti={Jti} outcome={Outcome}")]
        public static partial void Audit(ILogger logger, string keyId, string action, string issuer, string sub, string sid, string jti, string outcome);
    }
}
