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
/// The check of one request on a protected route, in order: read the token, verify it, the route's token rules,
/// the revocation rules (in memory), the session state and DESIGN.md's decision rules (one store read at most, none for a warm user), the route's
/// session rules, the rate-spike guard; a passing request's session is noted in the inventory.
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

    public async ValueTask<GateVerdict> CheckAsync(HttpContext context, RoutePolicy policy)
    {
        var token = AuthorizationHeader.Read(context.Request.Headers, out var scheme, out var present);
        if (token is null)
        {
            return GateVerdict.Refuse(present ? Reasons.Malformed : Reasons.Missing);
        }

        var result = await _verifier.VerifyAsync(token.Value, context.RequestAborted);
        if (result.Token is not { } verified)
        {
            return GateVerdict.Refuse(result.Refusal!);
        }

        // Revocation rules are held in memory on every instance: no store round trip, and they hold while the store is down.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (_rules.Match(verified, now) is not null)
        {
            return GateVerdict.Refuse(Reasons.RevokedByRule);
        }

        var rule = new RuleContext(context, policy.RouteId, verified, default, _guard.Store, now)
        {
            Scheme = scheme,
            Credential = token.Value,
        };
        if (await JudgeAsync(policy.TokenChecks, rule) is { } tokenRefusal)
        {
            return GateVerdict.Refuse(tokenRefusal);
        }

        using var activity = GatewayActivitySource.Instance.StartActivity("gateway.session.check");
        var verdict = await CheckSessionAsync(rule, policy);
        activity?.SetTag("gateway.outcome", verdict.Refusal is null ? Allowed : verdict.Refusal.Reason.Outcome);
        if (verdict.Refusal is not null)
        {
            activity?.SetTag("gateway.reason", verdict.Refusal.Reason.Code);
        }

        return verdict;
    }

    private async ValueTask<GateVerdict> CheckSessionAsync(RuleContext rule, RoutePolicy policy)
    {
        var token = rule.Token;
        try
        {
            var state = await _guard.ReadAsync(token, policy.RouteId, policy.FailureMode, policy.NeedsLiveStore, rule.Cancel);
            if (DecisionRules.Judge(token, state) is { } reason)
            {
                return GateVerdict.Refuse(reason);
            }

            if (await JudgeAsync(policy.SessionChecks, rule with { State = state }) is { } sessionRefusal)
            {
                return GateVerdict.Refuse(sessionRefusal);
            }

            if (_spikes.Enabled && token.TokenId is not null && _spikes.Exceeded(token.User, token.TokenId, token.ExpiresAt))
            {
                await _guard.Store.RevokeTokenAsync(token.User, token.TokenId, token.ExpiresAt, Reasons.RateSpike.Code, rule.Cancel);
                Log.RateSpikeRevoked(_logger, Reasons.RateSpike.Code);
                return GateVerdict.Refuse(Reasons.TokenRevoked);
            }

            // The inventory notes the session (a write at most once per resolution period, never awaited here).
            _inventory.Saw(token, rule.Http, rule.Now);
            return GateVerdict.Pass(token);
        }
        catch (SessionStoreUnavailableException)
        {
            return GateVerdict.Refuse(Reasons.StoreUnavailable);
        }
    }

    // Most routes have no checks at one stage or both: no state machine for an empty list.
    private static ValueTask<Refusal?> JudgeAsync(IRouteCheck[] checks, RuleContext context) =>
        checks.Length == 0 ? default : JudgeEachAsync(checks, context);

    private static async ValueTask<Refusal?> JudgeEachAsync(IRouteCheck[] checks, RuleContext context)
    {
        foreach (var check in checks)
        {
            if (await check.JudgeAsync(context) is { } refusal)
            {
                return refusal;
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
