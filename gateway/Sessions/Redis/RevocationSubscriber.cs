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
/// periodically and after each reconnect (data-loss detection).
/// </summary>
internal sealed partial class RevocationSubscriber : BackgroundService
{
    private const string ProbeKind = "probe";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly SessionStateCache _cache;
    private readonly StoreEpoch _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly RedisOptions _options;
    private readonly ILogger<RevocationSubscriber> _logger;
    private readonly SemaphoreSlim _resync = new(1, 1);
    private volatile bool _subscribed;
    private volatile TaskCompletionSource<bool>? _probe;
    private string _probeId = "";

    public RevocationSubscriber(IConnectionMultiplexer redis, RedisKeys keys, SessionStateCache cache, StoreEpoch epoch, GatewayMetrics metrics,
        TimeProvider time, IOptions<RedisOptions> options, ILogger<RevocationSubscriber> logger)
    {
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
            _cache.SetTrusted(true);
            Log.Synced(_logger);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
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

        if (evt.User is { } user && evt.RevokesNothing)
        {
            _cache.Refresh(user);
        }
        else if (evt.User is { } revoked && evt.Kind != RevocationEvent.EpochKind)
        {
            _cache.Invalidate(revoked);
        }
        else
        {
            _cache.InvalidateAll();
            if (evt.Kind == RevocationEvent.EpochKind)
            {
                _ = RefreshEpochAsync();
            }
        }

        var lag = evt.Timestamp > 0 ? TimeSpan.FromMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds() - evt.Timestamp) : (TimeSpan?)null;
        _metrics.RevocationReceived(evt.Kind, lag);
    }

    private async Task RefreshEpochAsync()
    {
        try
        {
            await _epoch.CheckAsync();
            _cache.InvalidateAll();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.EpochCheckFailed(_logger, ex.GetType().Name);
        }
    }

    private static partial class Log
    {
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
