using Gateway.Gate.Refusals;
using Gateway.Gate.Rules;
using Gateway.Sessions;
using Gateway.Sessions.Rules;
using Gateway.Sessions.Inventory;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Gate;

/// <summary>
/// The check of one request on a protected route, in order: read the token, verify it, the revocation rules (in
/// memory), the route's token rules, the session state and DESIGN.md's decision rules (one store read at most, none for
/// a warm user), the route's session rules, the rate-spike guard; a passing request's session is noted in the inventory.
/// </summary>
internal sealed partial class TokenGate
{
    private const string Allowed = GatewayMetrics.AllowedOutcome;

    private readonly TokenVerifier _verifier;
    private readonly SessionGuard _guard;
    private readonly RateSpikeDetector _spikes;
    private readonly RevocationRules _rules;
    private readonly SessionInventory _inventory;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenGate> _logger;

    public TokenGate(TokenVerifier verifier, SessionGuard guard, RateSpikeDetector spikes, RevocationRules rules, SessionInventory inventory, TimeProvider time, ILogger<TokenGate> logger)
    {
        _inventory = inventory;
        _verifier = verifier;
        _guard = guard;
        _spikes = spikes;
        _rules = rules;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Judges one request. Each step runs synchronously while the one before it has completed (a warm token of a warm
    /// user, on a route without rules that await); only a step that really waits continues in an async method, which
    /// then calls the same next step. The order of the checks is written once, here.
    /// </summary>
    public ValueTask<GateVerdict> CheckAsync(HttpContext context, RoutePolicy policy)
    {
        var token = AuthorizationHeader.Read(context.Request.Headers, out var scheme, out var present);
        if (token is null)
        {
            return new(GateVerdict.Refuse(present ? Reasons.Malformed : Reasons.Missing));
        }

        // Kestrel's RequestAborted takes a lock on each read: read once for the verifier and the session read.
        var cancel = context.RequestAborted;
        var verifying = _verifier.VerifyAsync(token.Value, cancel);
        return verifying.IsCompletedSuccessfully
            ? Verified(context, policy, token.Value, scheme, verifying.Result, cancel)
            : VerifiedLaterAsync(context, policy, token.Value, scheme, verifying, cancel);
    }

    private async ValueTask<GateVerdict> VerifiedLaterAsync(HttpContext context, RoutePolicy policy, ReadOnlyMemory<char> credential,
        AuthorizationScheme scheme, ValueTask<TokenResult> verifying, CancellationToken cancel) =>
        await Verified(context, policy, credential, scheme, await verifying, cancel);

    private ValueTask<GateVerdict> Verified(HttpContext context, RoutePolicy policy, ReadOnlyMemory<char> credential, AuthorizationScheme scheme,
        TokenResult result, CancellationToken cancel)
    {
        if (result.Token is not { } verified)
        {
            return new(GateVerdict.Refuse(result.Refusal!));
        }

        // Revocation rules are held in memory on every instance: no store round trip, and they hold while the store is down.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_rules.Match(verified, now) is not null)
        {
            return new(GateVerdict.Refuse(Reasons.RevokedByRule));
        }

        var rule = new RuleContext(context, policy.RouteId, verified, default, _guard.Store, now)
        {
            Scheme = scheme,
            Credential = credential,
        };
        // Every protected route has at least the proof-of-possession check, which answers a plain bearer token at once.
        var judging = JudgeChecks(policy.TokenChecks, rule);
        if (!judging.IsCompletedSuccessfully)
        {
            return TokenChecksLaterAsync(judging, rule, policy, cancel);
        }

        return judging.Result is { } refusal ? new(GateVerdict.Refuse(refusal)) : CheckSession(rule, policy, cancel);
    }

    private async ValueTask<GateVerdict> TokenChecksLaterAsync(ValueTask<Refusal?> judging, RuleContext rule, RoutePolicy policy, CancellationToken cancel) =>
        await judging is { } refusal
            ? GateVerdict.Refuse(refusal)
            : await CheckSession(rule, policy, cancel);

    // The session check is a span of its own when someone listens. The span starts inside the async method: an
    // activity started here would stay Activity.Current for the rest of the request (an async method's changes to the
    // execution context end with it, so its Stop would not restore the parent here), and the forwarding would become
    // the ended check's child.
    private ValueTask<GateVerdict> CheckSession(RuleContext rule, RoutePolicy policy, CancellationToken cancel) =>
        GatewayActivitySource.Instance.HasListeners()
            ? CheckSessionTracedAsync(rule, policy, cancel)
            : ReadSession(rule, policy, cancel);

    private async ValueTask<GateVerdict> CheckSessionTracedAsync(RuleContext rule, RoutePolicy policy, CancellationToken cancel)
    {
        using var activity = GatewayActivitySource.Instance.StartActivity("gateway.session.check");
        var verdict = await ReadSession(rule, policy, cancel);
        activity?.SetTag("gateway.outcome", verdict.Refusal is null ? Allowed : verdict.Refusal.Reason.Outcome);
        if (verdict.Refusal is not null)
        {
            activity?.SetTag("gateway.reason", verdict.Refusal.Reason.Code);
        }

        return verdict;
    }

    private ValueTask<GateVerdict> ReadSession(RuleContext rule, RoutePolicy policy, CancellationToken cancel)
    {
        ValueTask<SessionState> reading;
        try
        {
            reading = _guard.ReadAsync(rule.Token, policy.RouteId, policy.FailureMode, policy.NeedsLiveStore, cancel);
        }
        catch (SessionStoreUnavailableException)
        {
            return new(GateVerdict.Refuse(Reasons.StoreUnavailable));
        }

        return reading.IsCompletedSuccessfully ? JudgeSession(rule, policy, reading.Result) : ReadSessionLaterAsync(rule, policy, reading);
    }

    private async ValueTask<GateVerdict> ReadSessionLaterAsync(RuleContext rule, RoutePolicy policy, ValueTask<SessionState> reading)
    {
        SessionState state;
        try
        {
            state = await reading;
        }
        catch (SessionStoreUnavailableException)
        {
            return GateVerdict.Refuse(Reasons.StoreUnavailable);
        }

        return await JudgeSession(rule, policy, state);
    }

    private ValueTask<GateVerdict> JudgeSession(RuleContext rule, RoutePolicy policy, SessionState state)
    {
        var token = rule.Token;
        if (DecisionRules.Judge(token, state) is { } reason)
        {
            return new(GateVerdict.Refuse(reason));
        }

        return policy.SessionChecks.Length == 0 && !SpikeGuarded(token)
            ? new(Passed(rule))
            : SessionChecksAsync(rule with { State = state }, policy);
    }

    // Route session rules and the rate-spike guard may call the store: its outage is a 503 here too.
    private async ValueTask<GateVerdict> SessionChecksAsync(RuleContext rule, RoutePolicy policy)
    {
        var token = rule.Token;
        try
        {
            if (await JudgeChecks(policy.SessionChecks, rule) is { } sessionRefusal)
            {
                return GateVerdict.Refuse(sessionRefusal);
            }

            if (SpikeGuarded(token) && _spikes.Exceeded(token.User, token.TokenId!, token.ExpiresAt))
            {
                await _guard.Store.RevokeTokenAsync(token.User, token.TokenId!, token.ExpiresAt, Reasons.RateSpike.Code, rule.Cancel);
                Log.RateSpikeRevoked(_logger, Reasons.RateSpike.Code);
                return GateVerdict.Refuse(Reasons.TokenRevoked);
            }

            return Passed(rule);
        }
        catch (SessionStoreUnavailableException)
        {
            return GateVerdict.Refuse(Reasons.StoreUnavailable);
        }
    }

    private bool SpikeGuarded(VerifiedToken token) => _spikes.Enabled && token.TokenId is not null;

    private GateVerdict Passed(RuleContext rule)
    {
        // The inventory notes the session (a write at most once per resolution period, never awaited here).
        _inventory.Saw(rule.Token, rule.Http, rule.Now);
        return GateVerdict.Pass(rule.Token);
    }

    /// <summary>
    /// A stage's checks in order, the first refusal wins. Synchronous while each check answers at once; from the first
    /// that waits on, in an async method.
    /// </summary>
    private static ValueTask<Refusal?> JudgeChecks(IRouteCheck[] checks, RuleContext context)
    {
        for (var i = 0; i < checks.Length; i++)
        {
            var judging = checks[i].JudgeAsync(context);
            if (!judging.IsCompletedSuccessfully)
            {
                return JudgeRestAsync(judging, checks, i + 1, context);
            }

            if (judging.Result is { } refusal)
            {
                return new(refusal);
            }
        }

        return default;
    }

    private static async ValueTask<Refusal?> JudgeRestAsync(ValueTask<Refusal?> judging, IRouteCheck[] checks, int next, RuleContext context)
    {
        if (await judging is { } refusal)
        {
            return refusal;
        }

        for (var i = next; i < checks.Length; i++)
        {
            if (await checks[i].JudgeAsync(context) is { } later)
            {
                return later;
            }
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RateSpikeRevoked, Level = LogLevel.Warning, Message = "A token exceeded its request-rate limit and was denylisted (reason {Reason})")]
        public static partial void RateSpikeRevoked(ILogger logger, string reason);
    }
}
