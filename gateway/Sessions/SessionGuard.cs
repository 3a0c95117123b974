using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Reads the session state that judges a token, applying the failure policy: when the store cannot answer, a route
/// in <see cref="FailureMode.Open"/> is judged on the last state read (no older than <c>MaxStaleness</c>), unless one
/// of its rules needs the live store; everything else is <see cref="SessionStoreUnavailableException"/>.
/// </summary>
internal sealed partial class SessionGuard
{
    private readonly ISessionStore _store;
    private readonly FailureMode _defaultFailureMode;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<SessionGuard> _logger;

    public SessionGuard(ISessionStore store, IOptions<SessionOptions> options, GatewayMetrics metrics, ILogger<SessionGuard> logger)
    {
        _store = store;
        _defaultFailureMode = options.Value.FailureMode;
        _metrics = metrics;
        _logger = logger;
    }

    public ISessionStore Store => _store;

    /// <summary>The token's session state.</summary>
    /// <param name="token">The verified token.</param>
    /// <param name="routeId">For the log line when last-known state is served.</param>
    /// <param name="failureMode">The route's own failure mode, if it sets one.</param>
    /// <param name="needsLiveStore">A rule of the route counts in the store: never judged on last-known state.</param>
    /// <param name="cancellationToken">The request's.</param>
    /// <exception cref="SessionStoreUnavailableException">State could not be established.</exception>
    public ValueTask<SessionState> ReadAsync(VerifiedToken token, string routeId, FailureMode? failureMode, bool needsLiveStore, CancellationToken cancellationToken)
    {
        // A warm user's state comes back completed: answered here without a state machine of this method's own.
        var client = token.SessionId is null ? token.ClientId : null;
        ValueTask<SessionState> reading;
        try
        {
            reading = _store.ReadAsync(token.User, token.SessionId, token.TokenId, client, cancellationToken);
        }
        catch (SessionStoreUnavailableException) when (TryServeLastKnown(token, client, routeId, failureMode, needsLiveStore, out var state))
        {
            return new(state);
        }

        return reading.IsCompletedSuccessfully ? reading : ReadLaterAsync(reading, token, client, routeId, failureMode, needsLiveStore);
    }

    private async ValueTask<SessionState> ReadLaterAsync(ValueTask<SessionState> reading, VerifiedToken token, string? client, string routeId,
        FailureMode? failureMode, bool needsLiveStore)
    {
        try
        {
            return await reading;
        }
        catch (SessionStoreUnavailableException) when (TryServeLastKnown(token, client, routeId, failureMode, needsLiveStore, out var state))
        {
            return state;
        }
    }

    private bool TryServeLastKnown(VerifiedToken token, string? client, string routeId, FailureMode? failureMode, bool needsLiveStore, out SessionState state)
    {
        state = default;
        if ((failureMode ?? _defaultFailureMode) != FailureMode.Open || needsLiveStore ||
            !_store.TryGetLastKnown(token.User, token.SessionId, token.TokenId, client, out state))
        {
            return false;
        }

        _metrics.StaleServed();
        Log.StaleServed(_logger, routeId);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.StaleServed, Level = LogLevel.Debug, Message = "Session store unreachable; route {RouteId} judged on last-known state (FailureMode=Open)")]
        public static partial void StaleServed(ILogger logger, string routeId);
    }
}
