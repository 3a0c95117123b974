using Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Follows <c>gw:revocations</c>: each event drops the named user's cached state. The cache is trusted only while
/// the subscription is proven live (a probe this instance publishes comes back); on a connection drop it is
/// distrusted at once, and trusted again, empty, after the probe returns. Also checks the epoch marker
/// periodically and after each reconnect (data-loss detection). Every change it learns of, and every resync, is passed
/// on to the <see cref="RevocationNotifier"/> after the cache dropped its copy.
/// </summary>
internal sealed partial class RevocationSubscriber : BackgroundService
{
    private const string ProbeKind = "probe";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly SessionStateCache _cache;
    private readonly DenylistReplica _replica;
    private readonly RedisSessionStore _store;
    private readonly SessionOptions _sessions;
    private long _lastReconcile;
    private readonly StoreEpoch _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly RevocationNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly RedisOptions _options;
    private readonly ILogger<RevocationSubscriber> _logger;
    private readonly SemaphoreSlim _resync = new(1, 1);
    private volatile bool _subscribed;
    private volatile TaskCompletionSource<bool>? _probe;
    private string _probeId = "";

    public RevocationSubscriber(IConnectionMultiplexer redis, RedisKeys keys, SessionStateCache cache, DenylistReplica replica, RedisSessionStore store,
        StoreEpoch epoch, GatewayMetrics metrics, RevocationNotifier notifier, TimeProvider time, IOptions<RedisOptions> options, IOptions<SessionOptions> sessions,
        ILogger<RevocationSubscriber> logger)
    {
        _replica = replica;
        _store = store;
        _sessions = sessions.Value;
        _notifier = notifier;
        _redis = redis;
        _keys = keys;
        _cache = cache;
        _epoch = epoch;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Subscribed, connected and the local cache trusted (readiness detail).</summary>
    public bool IsSubscribed => _subscribed && _redis.IsConnected;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
        await ResyncAsync();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.EpochCheckInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!_subscribed || !_cache.IsTrusted)
            {
                await ResyncAsync();
                continue;
            }

            try
            {
                if (await _epoch.CheckAsync())
                {
                    _cache.InvalidateAll();
                    _notifier.EveryUserChanged();
                }

                if (_time.GetElapsedTime(Interlocked.Read(ref _lastReconcile)) >= _sessions.DenylistReconcileInterval)
                {
                    await ReconcileReplicaAsync();
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.EpochCheckFailed(_logger, ex.GetType().Name);
            }
        }
    }

    public override void Dispose()
    {
        _resync.Dispose();
        base.Dispose();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        // Redis may come back empty: reads wait for an epoch check, the cache for a resync.
        _epoch.ConnectionLost();
        _cache.SetTrusted(false);
        _replica.MarkIncomplete();
        Log.ConnectionLost(_logger, e.ConnectionType.ToString(), e.FailureType.ToString());
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _ = ResyncAsync();

    /// <summary>(Re)subscribe, check the epoch, prove the subscription with a probe, then trust an empty cache.</summary>
    private async Task ResyncAsync()
    {
        if (!await _resync.WaitAsync(0))
        {
            return;
        }

        try
        {
            _cache.SetTrusted(false);
            if (!_subscribed)
            {
                var channel = await _redis.GetSubscriber().SubscribeAsync(_keys.Channel);
                channel.OnMessage(message => Handle(message.Message));
                _subscribed = true;
            }

            await _epoch.CheckAsync();
            var probe = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _probeId = Guid.NewGuid().ToString("N");
            _probe = probe;
            await _redis.GetSubscriber().PublishAsync(_keys.Channel,
                new RevocationEvent(ProbeKind, null, null, _probeId, _time.GetUtcNow().ToUnixTimeMilliseconds()).ToJson());
            await probe.Task.WaitAsync(TimeSpan.FromSeconds(2));

            // Subscribed and proven: load the whole denylist index; events arriving meanwhile are merged in.
            var load = _replica.BeginLoad();
            if (_replica.Capacity > 0)
            {
                var complete = _replica.CompleteLoad(load, await _store.ReadDenylistIndexAsync(_replica.Capacity));
                Interlocked.Exchange(ref _lastReconcile, _time.GetTimestamp());
                Log.ReplicaLoaded(_logger, _replica.Count, complete);
            }

            _cache.SetTrusted(true);
            Log.Synced(_logger);

            // Events may have been lost while the subscription was down: whoever acts on them looks again.
            _notifier.EveryUserChanged();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SessionStoreUnavailableException)
        {
            // The periodic loop tries again; until then every read goes to Redis.
            Log.ResyncFailed(_logger, ex.GetType().Name);
        }
        finally
        {
            _resync.Release();
        }
    }

    private void Handle(RedisValue message)
    {
        var evt = RevocationEvent.TryParse(message);
        if (evt is null)
        {
            // Unreadable: someone wrote something we cannot attribute to a user; forget everything.
            _cache.InvalidateAll();
            _notifier.EveryUserChanged();
            _metrics.RevocationReceived("unknown", null);
            return;
        }

        if (evt.Kind == ProbeKind)
        {
            if (string.Equals(evt.Id, _probeId, StringComparison.Ordinal))
            {
                _probe?.TrySetResult(true);
            }

            return;
        }

        if (evt.Kind == RevocationEvent.RuleKind)
        {
            // Rules are not session state: RuleSync reloads them; the session cache stays as it is.
        }
        else if (evt.User is { } seen && evt is { Kind: RevocationEvent.SeenKind, Id: { } seenSid, IssuedAt: { } iat })
        {
            // A session's newer token was recorded: merged into the cached copy, no re-read.
            _cache.SessionSeen(seen, seenSid, iat);
        }
        else if (evt.User is { } user && evt.RevokesNothing)
        {
            _cache.Refresh(user);
        }
        else if (evt.User is { } revoked && evt.Kind != RevocationEvent.EpochKind)
        {
            // The replica first, then the cache: a read between the two then finds the entry.
            var until = evt.Until ?? _time.GetUtcNow().ToUnixTimeSeconds() + (long)_sessions.MaxSessionLifetime.TotalSeconds;
            if (evt.Kind == RevocationEvent.TokenKind && evt.Id is { } jti)
            {
                _replica.Add(DenylistHash.Token(revoked, jti), until);
            }
            else if (evt.Kind == RevocationEvent.SessionKind && evt.Id is { } sid)
            {
                _replica.Add(DenylistHash.Session(revoked, sid), until);
            }

            _cache.Invalidate(revoked);
            _notifier.UserChanged(revoked, evt.Kind);
        }
        else
        {
            _cache.InvalidateAll();
            if (evt.Kind == RevocationEvent.EpochKind)
            {
                // Listeners hear of it once the new global cut-off is known.
                _ = RefreshEpochAsync();
            }
            else
            {
                _notifier.EveryUserChanged();
            }
        }

        var lag = evt.Timestamp > 0 ? TimeSpan.FromMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds() - evt.Timestamp) : (TimeSpan?)null;
        _metrics.RevocationReceived(evt.Kind, lag);
    }

    // Merges the index into the replica (catching writes whose event never reached this instance) and trims the index.
    private async Task ReconcileReplicaAsync()
    {
        Interlocked.Exchange(ref _lastReconcile, _time.GetTimestamp());
        if (_replica.Capacity <= 0)
        {
            return;
        }

        try
        {
            var entries = await _store.ReadDenylistIndexAsync(_replica.Capacity);
            foreach (var (hash, until) in entries)
            {
                _replica.Add(hash, until);
            }

            _replica.Prune(_time.GetUtcNow().ToUnixTimeSeconds());
            await _store.TrimDenylistIndexAsync();
        }
        catch (SessionStoreUnavailableException ex)
        {
            Log.ResyncFailed(_logger, ex.GetType().Name);
        }
    }

    private async Task RefreshEpochAsync()
    {
        try
        {
            await _epoch.CheckAsync();
            _cache.InvalidateAll();
            _notifier.EveryUserChanged();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.EpochCheckFailed(_logger, ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ReplicaLoaded, Level = LogLevel.Information, Message = "Denylist replica loaded: {Count} entries; complete: {Complete}")]
        public static partial void ReplicaLoaded(ILogger logger, int count, bool complete);

        [LoggerMessage(EventId = LogEvents.RedisConnectionLost, Level = LogLevel.Warning, Message = "Redis connection lost ({ConnectionType}, {FailureType}): local session cache distrusted until resynced")]
        public static partial void ConnectionLost(ILogger logger, string connectionType, string failureType);

        [LoggerMessage(EventId = LogEvents.RevocationsSubscribed, Level = LogLevel.Information, Message = "Subscribed to revocation events; local session cache trusted")]
        public static partial void Synced(ILogger logger);

        [LoggerMessage(EventId = LogEvents.ResyncFailed, Level = LogLevel.Warning, Message = "Resync with Redis failed ({ErrorType}); retrying")]
        public static partial void ResyncFailed(ILogger logger, string errorType);

        [LoggerMessage(EventId = LogEvents.EpochCheckFailed, Level = LogLevel.Warning, Message = "Epoch check failed ({ErrorType})")]
        public static partial void EpochCheckFailed(ILogger logger, string errorType);
    }
}
