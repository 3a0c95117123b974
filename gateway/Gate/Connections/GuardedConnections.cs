using Gateway.Gate.Refusals;
using Gateway.Gate.Rules;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Gateway.Gate.Connections;

/// <summary>
/// This instance's open long-lived connections (WebSockets, event streams, requests on guarded routes), by user, so that
/// a revocation closes them: on every change of a user's state (<see cref="IRevocationListener"/>: this instance's
/// writes, every instance's events through Redis) the user's connections are judged again exactly as a request is
/// (<see cref="ISessionStore.ReadAsync"/>, <see cref="DecisionRules.Judge"/>, the route's session rules), and those now
/// refused are closed. A timer (one for the registry, ticking every second) closes connections whose token expired on
/// routes with <c>CloseOnExpiry</c> and those whose token-revocation grace ran out, and judges again any connection not
/// judged for <c>RejudgeInterval</c> (events are delivered at most once). Bounded: at most
/// <c>Gateway:Connections:MaxConnections</c> entries, each a few references. Ordinary requests never get here.
/// </summary>
internal sealed partial class GuardedConnections : IRevocationListener, IDisposable
{
    /// <summary>How often expiry and grace deadlines are looked at.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private const string EventStream = "text/event-stream";
    private const string WebSocketProtocol = "websocket";

    private readonly Lock _lock = new();
    private readonly Dictionary<UserKey, List<GuardedConnection>> _byUser = [];
    private readonly ISessionStore _store;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<GuardedConnections> _logger;
    private readonly int _max;
    private readonly TimeSpan _tokenGrace;
    private readonly TimeSpan _closeTimeout;
    private readonly TimeSpan _rejudgeInterval;
    private readonly ITimer _sweep;
    private int _count;

    public GuardedConnections(ISessionStore store, RevocationNotifier notifier, GatewayMetrics metrics, TimeProvider time,
        IOptions<ConnectionOptions> options, ILogger<GuardedConnections> logger)
    {
        _store = store;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _max = options.Value.MaxConnections;
        _tokenGrace = options.Value.TokenRevocationGrace;
        _closeTimeout = options.Value.CloseTimeout;
        _rejudgeInterval = options.Value.RejudgeInterval;
        _sweep = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
        notifier.Subscribe(this);
    }

    /// <summary>Connections guarded now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether (and as what) a request that passed the gate is guarded; null for an ordinary request.</summary>
    public static ConnectionKind? Classify(HttpContext context, RoutePolicy policy)
    {
        var connections = policy.Connections;
        if (connections.GuardsNothing)
        {
            return null;
        }

        if (IsWebSocket(context))
        {
            return ConnectionKind.WebSocket;
        }

        if (context.Request.Headers.Accept.ToString().Contains(EventStream, StringComparison.OrdinalIgnoreCase))
        {
            return ConnectionKind.EventStream;
        }

        return connections.CloseOnRevocation == true ? ConnectionKind.Request : null;
    }

    /// <summary>
    /// Guards the request until the returned registration is disposed (when the request ends); null when the registry
    /// is full. A WebSocket's upgrade features are replaced so that the gateway holds the client's stream.
    /// </summary>
    public GuardedConnection? Register(HttpContext context, RoutePolicy policy, VerifiedToken token, ConnectionKind kind)
    {
        var connection = new GuardedConnection(this, context, policy, token, kind, _time.GetTimestamp());
        lock (_lock)
        {
            if (_count >= _max)
            {
                Log.Full(_logger, policy.RouteId, _max);
                return null;
            }

            if (!_byUser.TryGetValue(token.User, out var list))
            {
                _byUser[token.User] = list = [];
            }

            list.Add(connection);
            _count++;
        }

        _metrics.ConnectionOpened();
        if (kind == ConnectionKind.WebSocket)
        {
            var features = context.Features;
            if (features.Get<IHttpUpgradeFeature>() is { } upgrade)
            {
                features.Set<IHttpUpgradeFeature>(new GuardedUpgradeFeature(upgrade, connection));
            }

            if (features.Get<IHttpExtendedConnectFeature>() is { } connect)
            {
                features.Set<IHttpExtendedConnectFeature>(new GuardedConnectFeature(connect, connection));
            }
        }

        return connection;
    }

    /// <summary>Called by a registration when its request ends.</summary>
    internal void Remove(GuardedConnection connection)
    {
        lock (_lock)
        {
            if (!_byUser.TryGetValue(connection.Token.User, out var list) || !list.Remove(connection))
            {
                return;
            }

            if (list.Count == 0)
            {
                _byUser.Remove(connection.Token.User);
            }

            _count--;
        }

        _metrics.ConnectionEnded();
    }

    public void UserChanged(UserKey user, string kind)
    {
        // Every revocation of every instance passes here: with nothing guarded, no lock.
        if (Count == 0)
        {
            return;
        }

        GuardedConnection[] connections;
        lock (_lock)
        {
            if (!_byUser.TryGetValue(user, out var list))
            {
                return;
            }

            connections = [.. list];
        }

        // The caller is a store write or the pub/sub handler: judge elsewhere.
        _ = Task.Run(() => RejudgeAsync(connections));
    }

    public void EveryUserChanged()
    {
        var connections = Snapshot();
        if (connections.Length > 0)
        {
            _ = Task.Run(() => RejudgeAsync(connections));
        }
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>Judges the connections again and closes those refused now; one that cannot be judged stays open.</summary>
    internal async Task RejudgeAsync(GuardedConnection[] connections)
    {
        foreach (var connection in connections)
        {
            if (!connection.ClosesOnRevocation || !connection.IsOpen)
            {
                continue;
            }

            RefusalReason? reason;
            connection.JudgedAt = _time.GetTimestamp();
            try
            {
                reason = await JudgeAsync(connection);
            }
            catch (SessionStoreUnavailableException)
            {
                // Judged again when the store is back (the subscriber's resync reports every user changed).
                Log.Deferred(_logger, connection.Policy.RouteId);
                continue;
            }
#pragma warning disable CA1031 // A background re-judge must never take the process down; the failure is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RejudgeFailed(_logger, connection.Policy.RouteId, ex.GetType().Name);
                continue;
            }

            if (reason is null)
            {
                continue;
            }

            if (reason == Reasons.TokenRevoked && _tokenGrace > TimeSpan.Zero)
            {
                // A refresh revokes the previous token: the client gets the grace to move its stream to the new one.
                connection.CloseAt(reason, _time.GetUtcNow() + _tokenGrace);
                continue;
            }

            _ = CloseAsync(connection, reason);
        }
    }

    private async ValueTask<RefusalReason?> JudgeAsync(GuardedConnection connection)
    {
        var token = connection.Token;
        var client = token.SessionId is null ? token.ClientId : null;
        var state = await _store.ReadAsync(token.User, token.SessionId, token.TokenId, client, CancellationToken.None);

        // The token's own revocation last: it alone waits for the grace, so any other reason must win over it.
        if (DecisionRules.Judge(token, state with { TokenRevoked = false }) is { } reason)
        {
            return reason;
        }

        // The route's session rules too (SingleSession), except those that count: a re-judge is not a use.
        if (connection.Policy.SessionChecks.Length > 0 && connection.Http is { } http)
        {
            var context = new RuleContext(http, connection.Policy.RouteId, token, state, _store, _time.GetUtcNow().ToUnixTimeSeconds());
            foreach (var check in connection.Policy.SessionChecks)
            {
                if (!check.NeedsLiveStore && await check.JudgeAsync(context) is { } refusal)
                {
                    return refusal.Reason;
                }
            }
        }

        return state.TokenRevoked ? Reasons.TokenRevoked : null;
    }

    private async Task CloseAsync(GuardedConnection connection, RefusalReason reason)
    {
        if (!connection.TryBeginClose(reason))
        {
            return;
        }

        _metrics.ConnectionClosed(reason.Code);
        Log.Closed(_logger, connection.Kind.ToString(), connection.Policy.RouteId, reason.Code);
        await connection.CloseAsync(_closeTimeout);
    }

    private void Sweep()
    {
        if (Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        List<GuardedConnection>? stale = null;
        foreach (var connection in Snapshot())
        {
            if (connection.DueAt(now) is { } reason)
            {
                _ = CloseAsync(connection, reason);
            }
            else if (connection.ClosesOnRevocation && _time.GetElapsedTime(connection.JudgedAt) >= _rejudgeInterval)
            {
                (stale ??= []).Add(connection);
            }
        }

        if (stale is not null)
        {
            _ = RejudgeAsync([.. stale]);
        }
    }

    private GuardedConnection[] Snapshot()
    {
        lock (_lock)
        {
            return _count == 0 ? [] : [.. _byUser.Values.SelectMany(l => l)];
        }
    }

    private static bool IsWebSocket(HttpContext context)
    {
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } &&
            string.Equals(context.Request.Headers[HeaderNames.Upgrade].ToString(), WebSocketProtocol, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect &&
            string.Equals(connect.Protocol, WebSocketProtocol, StringComparison.OrdinalIgnoreCase);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ConnectionClosed, Level = LogLevel.Information, Message = "Closed a guarded {Kind} connection on route {RouteId}: {Reason}")]
        public static partial void Closed(ILogger logger, string kind, string routeId, string reason);

        [LoggerMessage(EventId = LogEvents.ConnectionRejudgeDeferred, Level = LogLevel.Debug, Message = "Session store unavailable; a guarded connection on route {RouteId} stays open until it can be judged again")]
        public static partial void Deferred(ILogger logger, string routeId);

        [LoggerMessage(EventId = LogEvents.ConnectionRejudgeFailed, Level = LogLevel.Warning, Message = "Judging a guarded connection on route {RouteId} again failed ({ErrorType}); it stays open")]
        public static partial void RejudgeFailed(ILogger logger, string routeId, string errorType);

        [LoggerMessage(EventId = LogEvents.ConnectionLimitReached, Level = LogLevel.Debug, Message = "Refused a connection on route {RouteId}: {Max} guarded connections are open (Gateway:Connections:MaxConnections)")]
        public static partial void Full(ILogger logger, string routeId, int max);
    }
}
