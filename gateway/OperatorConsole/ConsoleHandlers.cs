using System.Globalization;
using Gateway.Admin;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.OperatorConsole;

/// <summary>
/// The console's screens and actions. Every action goes through <see cref="AdminActions"/>, so it is audited (log line,
/// metric, audit trail) exactly like the JSON API; the caller's key id comes from the server-side session.
/// </summary>
internal sealed partial class ConsoleHandlers
{
    public const string CookieName = "gw_console";
    public const string PreCookieName = "gw_console_pre";
    internal const string SessionItem = "Gateway.Console.Session";

    private readonly ConsoleSessions _sessions;
    private readonly ApiKeyVerifier _keys;
    private readonly AdminActions _actions;
    private readonly AuditTrail _trail;
    private readonly GatewayMetrics _metrics;
    private readonly HealthCheckService _health;
    private readonly AdminOptions _admin;
    private readonly TokenOptions _tokens;
    private readonly ILogger<ConsoleHandlers> _logger;

    public ConsoleHandlers(ConsoleSessions sessions, ApiKeyVerifier keys, AdminActions actions, AuditTrail trail, GatewayMetrics metrics, HealthCheckService health,
        IOptions<AdminOptions> admin, IOptions<TokenOptions> tokens, ILogger<ConsoleHandlers> logger)
    {
        _sessions = sessions;
        _keys = keys;
        _actions = actions;
        _trail = trail;
        _metrics = metrics;
        _health = health;
        _admin = admin.Value;
        _tokens = tokens.Value;
        _logger = logger;
    }

    private IReadOnlyList<string> Issuers => _actions.IssuerNames.ToList();

    /// <summary>The signed-in session of this request, or null.</summary>
    public ConsoleSession? SessionOf(HttpContext context) => _sessions.Find(context.Request.Cookies[CookieName]);

    private static ConsoleSession Current(HttpContext context) => (ConsoleSession)context.Items[SessionItem]!;

    private static IResult Page(string html, int status = StatusCodes.Status200OK) => Results.Content(html, "text/html; charset=utf-8", statusCode: status);

    private static SeeOtherResult SeeOther(string location) => new(location);

    public IResult Home(HttpContext context)
    {
        if (SessionOf(context) is not null)
        {
            return SeeOther(ConsolePages.Base + "/user");
        }

        return SignInPage(context, null, StatusCodes.Status200OK);
    }

    private IResult SignInPage(HttpContext context, string? error, int status)
    {
        var pre = ConsoleSessions.NewSecret();
        context.Response.Cookies.Append(PreCookieName, pre, Cookie(context, TimeSpan.FromMinutes(10)));
        return Page(ConsolePages.Layout("Sign in", "", null, ConsolePages.SignIn(pre, error)), status);
    }

    public async Task<IResult> SignInAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        if (form is null || !ConsoleSessions.SameToken(form["csrf"].ToString(), context.Request.Cookies[PreCookieName] ?? "\0"))
        {
            _actions.AuditRefused("none", "console_sign_in");
            return SignInPage(context, "The sign-in form expired; try again.", StatusCodes.Status400BadRequest);
        }

        var key = form["key"].Count == 1 ? form["key"][0] : null;
        var keyId = _keys.Verify(key);
        if (keyId is null)
        {
            // The same slow-down as the JSON API's X-Api-Key.
            await Task.Delay(_keys.RecordFailure(context.Connection.RemoteIpAddress), context.RequestAborted);
            _actions.AuditRefused("none", "console_sign_in");
            Log.SignInFailed(_logger);
            return SignInPage(context, "That is not a valid admin API key.", StatusCodes.Status401Unauthorized);
        }

        var session = _sessions.Create(keyId);
        context.Response.Cookies.Delete(PreCookieName, Cookie(context, TimeSpan.Zero));
        context.Response.Cookies.Append(CookieName, session.Id, Cookie(context, null));
        await _actions.AuditedAsync(keyId, "console_sign_in", null, null, null, () => Task.FromResult(0));
        Log.SignedIn(_logger, keyId);
        return SeeOther(ConsolePages.Base + "/user");
    }

    public async Task<IResult> SignOutAsync(HttpContext context)
    {
        var session = Current(context);
        _sessions.End(session.Id);
        context.Response.Cookies.Delete(CookieName, Cookie(context, TimeSpan.Zero));
        await _actions.AuditedAsync(session.KeyId, "console_sign_out", null, null, null, () => Task.FromResult(0));
        return SeeOther(ConsolePages.Base);
    }

    public async Task<IResult> UserAsync(HttpContext context)
    {
        var session = Current(context);
        var query = context.Request.Query;
        var sub = query["sub"].Count == 1 ? query["sub"][0] : null;
        var iss = query["iss"].Count == 1 ? query["iss"][0] : null;
        var flash = FlashOf(query["done"].ToString());
        if (string.IsNullOrEmpty(sub))
        {
            return Page(ConsolePages.Layout("Users", "user", session, ConsolePages.LookupForm(Issuers, null, iss), flash));
        }

        if (!ClaimIds.IsValid(sub))
        {
            return Page(ConsolePages.Layout("Users", "user", session, ConsolePages.LookupForm(Issuers, sub, iss), new Flash($"A subject is {ClaimIds.Rule}.", true)),
                StatusCodes.Status400BadRequest);
        }

        if (_actions.ResolveIssuer(iss, out var problem) is not { } issuer)
        {
            _actions.AuditRefused(session.KeyId, "get_user");
            return Page(ConsolePages.Layout("Users", "user", session, ConsolePages.LookupForm(Issuers, sub, iss), new Flash($"Issuer: {problem}.", true)),
                StatusCodes.Status400BadRequest);
        }

        var user = new UserKey(issuer, sub);
        var (state, stateOutcome) = await _actions.AuditedAsync(session.KeyId, "get_user", user, null, null, () => _actions.Store.GetUserAsync(user, context.RequestAborted));
        var (views, listOutcome) = await _actions.AuditedAsync(session.KeyId, "list_sessions", user, null, null, () => _actions.ListSessionViewsAsync(user, context.RequestAborted));
        if (state is null || views is null || stateOutcome != "ok" || listOutcome != "ok")
        {
            return Page(ConsolePages.Layout("Users", "user", session, ConsolePages.LookupForm(Issuers, sub, issuer), new Flash("The session store is unreachable; try again shortly.", true)),
                StatusCodes.Status503ServiceUnavailable);
        }

        return Page(ConsolePages.Layout(sub, "user", session, ConsolePages.User(session, Issuers, user, state, views), flash));
    }

    public async Task<IResult> RevokeAsync(HttpContext context)
    {
        var session = Current(context);
        // The signed-in filter has read and checked the form (CSRF) already.
        var form = (await ReadFormAsync(context))!;
        var action = form["action"].ToString();
        var sub = form["sub"].ToString();
        var sid = form["sid"].Count == 1 ? form["sid"][0] : null;
        var jti = form["jti"].Count == 1 ? form["jti"][0] : null;
        var auditAction = action switch
        {
            "session" => "revoke_session",
            "all_but" => "revoke_sessions_except",
            "user" => "revoke_user",
            "token" => "revoke_token",
            _ => null,
        };
        var issuer = _actions.ResolveIssuer(form["iss"].ToString(), out _);
        long exp = 0;
        var valid = auditAction is not null && issuer is not null && ClaimIds.IsValid(sub) &&
            (action is not ("session" or "all_but") || ClaimIds.IsValid(sid)) &&
            (action != "token" || (ClaimIds.IsValid(jti) && long.TryParse(form["exp"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out exp)));
        if (!valid)
        {
            _actions.AuditRefused(session.KeyId, auditAction ?? "console_action");
            return Page(ConsolePages.Layout("Users", "user", session, ConsolePages.LookupForm(Issuers, null, null), new Flash("That action was not understood; nothing was changed.", true)),
                StatusCodes.Status400BadRequest);
        }

        var user = new UserKey(issuer!, sub);
        var cancel = context.RequestAborted;
        var (_, outcome) = action switch
        {
            "session" => await _actions.AuditedAsync(session.KeyId, auditAction!, user, sid, null, async () =>
            {
                await _actions.Store.RevokeSessionAsync(user, sid!, _actions.UnixNow + _actions.SessionLifetimeSeconds, cancel);
                return 1;
            }),
            "all_but" => await _actions.AuditedAsync(session.KeyId, auditAction!, user, sid, null, async () => (await _actions.RevokeAllButAsync(user, sid!, cancel)).Count),
            "user" => await _actions.AuditedAsync(session.KeyId, auditAction!, user, null, null, async () =>
            {
                await _actions.Store.RevokeUserAsync(user, _actions.UnixNow, cancel);
                return 1;
            }),
            _ => await _actions.AuditedAsync(session.KeyId, auditAction!, user, null, jti, async () =>
            {
                await _actions.Store.RevokeTokenAsync(user, jti!, exp, "revoked", cancel);
                return 1;
            }),
        };

        var done = outcome == "ok" ? action : "unavailable";
        return SeeOther($"{ConsolePages.Base}/user?sub={Uri.EscapeDataString(sub)}&iss={Uri.EscapeDataString(user.Issuer)}&done={done}");
    }

    public IResult InspectForm(HttpContext context) =>
        Page(ConsolePages.Layout("Inspect a token", "inspect", Current(context), ConsolePages.Inspect(Current(context), false, null, null)));

    public async Task<IResult> InspectAsync(HttpContext context)
    {
        var session = Current(context);
        var form = (await ReadFormAsync(context))!;
        var token = form["token"].ToString().Trim();
        if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = token[7..].Trim();
        }

        if (token.Length == 0 || token.Length > _tokens.MaxTokenSize)
        {
            _actions.AuditRefused(session.KeyId, "introspect");
            return Page(ConsolePages.Layout("Inspect a token", "inspect", session, ConsolePages.Inspect(session, false, null, null),
                new Flash($"Paste a token of at most {_tokens.MaxTokenSize} characters.", true)), StatusCodes.Status400BadRequest);
        }

        var (decision, outcome) = await _actions.AuditedAsync(session.KeyId, "introspect", null, null, null, () => _actions.DecideAsync(token, context.RequestAborted));
        var flash = outcome == "ok" ? null : new Flash("The session store is unreachable: the decision is unknown.", true);
        return Page(ConsolePages.Layout("Inspect a token", "inspect", session, ConsolePages.Inspect(session, true, TokenParts.TryDecode(token), decision), flash));
    }

    public IResult Refusals(HttpContext context) =>
        Page(ConsolePages.Layout("Refusals", "refusals", Current(context), ConsolePages.RefusalsPage(_metrics.History.Recent())));

    public async Task<IResult> HealthAsync(HttpContext context)
    {
        var report = await _health.CheckHealthAsync(r => r.Tags.Contains(Health.HealthServiceCollectionExtensions.ReadyTag), context.RequestAborted);
        return Page(ConsolePages.Layout("Health", "health", Current(context), ConsolePages.HealthPage(report, _actions.Store.Kind)));
    }

    public IResult Audit(HttpContext context) =>
        Page(ConsolePages.Layout("Audit trail", "audit", Current(context), ConsolePages.AuditPage(_trail.Recent(AuditTrail.Capacity))));

    /// <summary>The form of a console POST (at most <c>Gateway:Admin:MaxBodySize</c> bytes), or null when it is not one.</summary>
    public async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _admin.MaxBodySize;
        }

        if (!context.Request.HasFormContentType || context.Request.ContentLength > _admin.MaxBodySize)
        {
            return null;
        }

        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    private CookieOptions Cookie(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = ConsolePages.Base,
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static Flash? FlashOf(string done) => done switch
    {
        "session" => new Flash("Session revoked: its tokens are refused from now on."),
        "all_but" => new Flash("Every other session seen of this user was revoked."),
        "user" => new Flash("Signed out everywhere: every token issued until now is refused."),
        "token" => new Flash("Token revoked."),
        "unavailable" => new Flash("The session store is unreachable: nothing may have changed. Try again.", true),
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ConsoleSignIn, Level = LogLevel.Information, Message = "Console sign-in with key {KeyId}")]
        public static partial void SignedIn(ILogger logger, string keyId);

        [LoggerMessage(EventId = LogEvents.ConsoleSignInFailed, Level = LogLevel.Warning, Message = "Console sign-in refused: not a configured admin key")]
        public static partial void SignInFailed(ILogger logger);
    }
}
