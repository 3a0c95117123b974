using Gateway.Proxy;
using Gateway.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// The session check that follows signature and claims: user version or cut-off, session and token denylists,
/// single session, use count and rate spike. Pure judgement lives in <see cref="Judge"/>; the store supplies state.
/// </summary>
internal sealed partial class SessionGuard
{
    private readonly ISessionStore _store;
    private readonly RateSpikeDetector _spikes;
    private readonly ILogger<SessionGuard> _logger;

    private readonly FailureMode _defaultFailureMode;
    private readonly Telemetry.GatewayMetrics _metrics;

    public SessionGuard(ISessionStore store, RateSpikeDetector spikes, IOptions<RedisOptions> redis, Telemetry.GatewayMetrics metrics, ILogger<SessionGuard> logger)
    {
        _store = store;
        _spikes = spikes;
        _defaultFailureMode = redis.Value.FailureMode;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Null when the token's session is live on this route; else the refusal reason.</summary>
    /// <exception cref="SessionStoreUnavailableException">State could not be established.</exception>
    public async ValueTask<string?> CheckAsync(VerifiedToken token, RoutePolicy policy, CancellationToken cancellationToken)
    {
        SessionState state;
        try
        {
            state = await _store.ReadAsync(token.Subject, token.SessionId, token.TokenId, cancellationToken);
        }
        catch (SessionStoreUnavailableException) when (
            (policy.FailureMode ?? _defaultFailureMode) == FailureMode.Open && policy.MaxUses is null &&
            _store is ILastKnownSessionState lastKnown && lastKnown.TryGetLastKnown(token.Subject, token.SessionId, token.TokenId, out state))
        {
            // FailureMode=Open: judged on the last state read, no older than MaxStaleness. Use counts cannot be
            // kept without the store, so MaxUses routes always fail closed.
            _metrics.StaleServed();
            Log.StaleServed(_logger, policy.RouteId);
        }

        var reason = Judge(token, state, policy.SingleSession);
        if (reason is not null)
        {
            return reason;
        }

        if (policy.MaxUses is { } maxUses)
        {
            if (token.TokenId is null)
            {
                return SessionReasons.MissingClaim;
            }

            if (await _store.IncrementUsesAsync(token.Subject, token.TokenId, token.ExpiresAt, cancellationToken) > maxUses)
            {
                return SessionReasons.UseLimitReached;
            }
        }

        if (_spikes.Enabled && token.TokenId is not null && _spikes.Exceeded(token.TokenId))
        {
            await _store.RevokeTokenAsync(token.Subject, token.TokenId, token.ExpiresAt, SessionReasons.RateSpike, cancellationToken);
            Log.RateSpikeRevoked(_logger, SessionReasons.RateSpike);
            return SessionReasons.TokenRevoked;
        }

        return null;
    }

    /// <summary>DESIGN.md's decision rules, applied to state already read.</summary>
    public static string? Judge(VerifiedToken token, SessionState state, bool singleSession)
    {
        if (state.TokenRevoked)
        {
            return SessionReasons.TokenRevoked;
        }

        if (state.SessionRevoked)
        {
            return SessionReasons.SessionRevoked;
        }

        // After a detected loss of the store's data nothing issued before the loss can be vouched for.
        if (state.GlobalCutoff > 0 && token.IssuedAt < state.GlobalCutoff)
        {
            return SessionReasons.UserVersionStale;
        }

        // A token with a ver claim is judged by version alone; without one, by iat against the cut-off second
        // (at or before it: a token minted in the same second as a logout-everywhere dies too).
        var stale = token.Version is { } version ? version < state.Version : state.Cutoff > 0 && token.IssuedAt <= state.Cutoff;
        if (stale)
        {
            return SessionReasons.UserVersionStale;
        }

        if (singleSession && state.ActiveSession is { } active && !string.Equals(active, token.SessionId, StringComparison.Ordinal))
        {
            return SessionReasons.SessionNotActive;
        }

        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Session store unreachable; route {RouteId} judged on last-known state (FailureMode=Open)")]
        public static partial void StaleServed(ILogger logger, string routeId);

        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "A token exceeded its request-rate limit and was denylisted (reason {Reason})")]
        public static partial void RateSpikeRevoked(ILogger logger, string reason);
    }
}
