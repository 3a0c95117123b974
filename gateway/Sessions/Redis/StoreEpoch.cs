using Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Detects that Redis lost its data (restarted without persistence, flushed): the epoch marker <c>gw:epoch</c> is
/// gone, or, on Redis Cluster, the marker of any master (<see cref="ClusterMasterTags"/>, <see cref="RedisKeys.MasterMarker"/>)
/// that the registry <see cref="RedisKeys.MarkerRegistry"/> says was written. Every revocation is then forgotten, so the gateway applies a global cut-off (<c>gw:cutoff</c>): every
/// token issued before now is refused and users log in again. An empty Redis at first start looks the same and
/// is treated the same, unless <c>Gateway:Redis:DataLossCutoff</c> is false.
/// </summary>
internal sealed partial class StoreEpoch : IStoreEpoch
{
    // The cut-off only moves forward, whichever instance sets it.
    private static readonly LuaScript MaxScript = LuaScript.Prepare(
        "local cur = tonumber(redis.call('GET', @key) or '0') if tonumber(@value) > cur then redis.call('SET', @key, @value) return tonumber(@value) end return cur");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly ClusterMasterTags _masters;
    private readonly TimeProvider _time;
    private readonly RedisOptions _options;
    private readonly ILogger<StoreEpoch> _logger;
    private readonly Lock _pendingLock = new();
    private Task<bool>? _pending;
    private string? _seen;
    private long _globalCutoff;
    private long _connectionLosses;
    private long _verifiedAt = -1;

    public StoreEpoch(IConnectionMultiplexer redis, RedisKeys keys, ClusterMasterTags masters, TimeProvider time, IOptions<RedisOptions> options, ILogger<StoreEpoch> logger)
    {
        _redis = redis;
        _keys = keys;
        _masters = masters;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Tokens issued before this Unix second are dead (0: none).</summary>
    public long GlobalCutoff => Volatile.Read(ref _globalCutoff);

    /// <summary>True when the marker was checked since the last connection loss (see <see cref="ConnectionLost"/>).</summary>
    public bool Verified => Volatile.Read(ref _verifiedAt) == Volatile.Read(ref _connectionLosses);

    /// <summary>
    /// The connection dropped: Redis may have restarted empty. Until the marker is checked again, no read may be
    /// trusted, or a revocation Redis forgot would pass before the cut-off is applied.
    /// </summary>
    public void ConnectionLost() => Interlocked.Increment(ref _connectionLosses);

    /// <summary>
    /// Checks the marker unless that was done since the last connection loss; call before every read of session state.
    /// Waits at most twice the Redis timeout (as <see cref="RedisSessionStore"/> does for its calls).
    /// </summary>
    /// <exception cref="SessionStoreUnavailableException">The marker could not be checked.</exception>
    public ValueTask EnsureVerifiedAsync() => Verified ? ValueTask.CompletedTask : new ValueTask(VerifyAsync());

    private async Task VerifyAsync()
    {
        try
        {
            await CheckAsync().WaitAsync(RedisCallCap.For(_options.Timeout), _time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new SessionStoreUnavailableException($"Redis epoch check failed: {ex.GetType().Name}", ex);
        }

        // The check joined may have started before the latest connection loss.
        if (!Verified)
        {
            throw new SessionStoreUnavailableException("Redis epoch check not yet done after a reconnect");
        }
    }

    /// <summary>
    /// Reads the marker; when it is missing, applies the cut-off and writes a new one. Returns true when a loss was
    /// handled. One check at a time: a caller joins the one already running, and a new one starts only after it ends.
    /// </summary>
    public Task<bool> CheckAsync()
    {
        lock (_pendingLock)
        {
            if (_pending is null || _pending.IsCompleted)
            {
                _pending = RunCheckAsync();
            }

            return _pending;
        }
    }

    private async Task<bool> RunCheckAsync()
    {
        var losses = Volatile.Read(ref _connectionLosses);
        var db = _redis.GetDatabase();
        var cluster = _masters.IsCluster;

        // The reads at once (different slots on a cluster, so not one MGET): one round trip when all is well, two on a
        // cluster. The registry is read before the markers: a marker registered by the time it was read was written
        // before that, so a missing one was lost, never merely not written yet by another instance.
        var epochRead = db.StringGetAsync(_keys.Epoch);
        var cutoffRead = db.StringGetAsync(_keys.GlobalCutoff);
        var registryRead = cluster ? db.SetMembersAsync(_keys.MarkerRegistry) : null;
        var epoch = await epochRead;
        var cutoff = await cutoffRead;
        var registered = registryRead is null ? [] : (await registryRead).Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
        var current = cluster ? _masters.Current() : [];
        var tags = current.Union(registered, StringComparer.Ordinal).ToArray();
        var present = await Task.WhenAll(tags.Select(t => db.KeyExistsAsync(_keys.MasterMarker(t))));
        var lostMarkers = tags.Where((t, i) => !present[i] && registered.Contains(t)).ToArray();
        var unwritten = tags.Where((t, i) => !present[i] && !registered.Contains(t)).ToArray();
        var unregistered = tags.Where((t, i) => present[i] && !registered.Contains(t)).ToArray();

        var lost = false;
        if (epoch.IsNull || lostMarkers.Length > 0)
        {
            lost = true;
            if (_options.DataLossCutoff)
            {
                var now = _time.GetUtcNow().ToUnixTimeSeconds();
                await db.ScriptEvaluateAsync(MaxScript, new { key = _keys.GlobalCutoff, value = now });
            }

            await db.StringSetAsync(_keys.Epoch, Guid.NewGuid().ToString("N"), when: When.NotExists);
            epoch = await db.StringGetAsync(_keys.Epoch);
            await WriteMarkersAsync(db, [.. lostMarkers, .. unwritten], unregistered, epoch);
            if (_seen is null && lostMarkers.Length == 0)
            {
                Log.Initialised(_logger, _options.DataLossCutoff);
            }
            else
            {
                Log.DataLoss(_logger, lostMarkers.Length == 0 ? (string)_keys.Epoch! : string.Join(", ", lostMarkers.Select(t => (string)_keys.MasterMarker(t)!)));
            }

            await _redis.GetSubscriber().PublishAsync(_keys.Channel,
                new RevocationEvent(RevocationEvent.EpochKind, null, null, epoch.ToString(), _time.GetUtcNow().ToUnixTimeMilliseconds()).ToJson());
            cutoff = await db.StringGetAsync(_keys.GlobalCutoff);
        }
        else
        {
            if (_seen is not null && !string.Equals(_seen, epoch.ToString(), StringComparison.Ordinal))
            {
                Log.EpochChanged(_logger);
            }

            // A master this instance (or any) never marked: a new master, a moved slot range, or the first start of a
            // gateway that marks every master. Nothing can have been lost there that a marker would have told.
            if (unwritten.Length > 0 || unregistered.Length > 0)
            {
                await WriteMarkersAsync(db, unwritten, unregistered, epoch);
                Log.MastersMarked(_logger, unwritten.Length + unregistered.Length);
            }
        }

        Volatile.Write(ref _seen, epoch.ToString());
        Volatile.Write(ref _globalCutoff, cutoff.TryParse(out long value) ? value : 0);

        // Only a check that started after the last loss vouches for the data now behind the connection.
        Volatile.Write(ref _verifiedAt, losses);
        return lost;
    }

    /// <summary>Writes the missing markers, then registers them (and those present but unregistered): never registered before written.</summary>
    private async Task WriteMarkersAsync(IDatabase db, string[] missing, string[] unregistered, RedisValue epoch)
    {
        if (missing.Length == 0 && unregistered.Length == 0)
        {
            return;
        }

        await Task.WhenAll(missing.Select(t => db.StringSetAsync(_keys.MasterMarker(t), epoch, when: When.NotExists)));
        await db.SetAddAsync(_keys.MarkerRegistry, [.. missing.Concat(unregistered).Select(t => (RedisValue)t)]);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RedisDataLost, Level = LogLevel.Error, Message = "Redis lost its data (epoch marker {Marker} is gone): revocations were forgotten, so every token issued before now is refused and users must log in again. Run Redis with AOF persistence (and, on a cluster, a replica per master)")]
        public static partial void DataLoss(ILogger logger, string marker);

        [LoggerMessage(EventId = LogEvents.RedisMastersMarked, Level = LogLevel.Information, Message = "Redis Cluster: epoch markers written on {Count} master(s) not marked before (first start or a topology change)")]
        public static partial void MastersMarked(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.RedisFirstStart, Level = LogLevel.Warning, Message = "No epoch marker in Redis (first start or data loss): a new epoch was recorded; global cut-off applied: {CutoffApplied}")]
        public static partial void Initialised(ILogger logger, bool cutoffApplied);

        [LoggerMessage(EventId = LogEvents.RedisEpochChanged, Level = LogLevel.Warning, Message = "The Redis epoch changed since last seen (another instance detected a data loss); its global cut-off applies")]
        public static partial void EpochChanged(ILogger logger);
    }
}
