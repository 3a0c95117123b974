using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Detects that Redis lost its data (restarted without persistence, flushed): the epoch marker <c>gw:epoch</c> is
/// gone. Every revocation is then forgotten, so the gateway applies a global cut-off (<c>gw:cutoff</c>): every
/// token issued before now is refused and users log in again. An empty Redis at first start looks the same and
/// is treated the same, unless <c>Gateway:Redis:DataLossCutoff</c> is false.
/// </summary>
internal sealed partial class StoreEpoch : IDisposable
{
    // The cut-off only moves forward, whichever instance sets it.
    private static readonly LuaScript MaxScript = LuaScript.Prepare(
        "local cur = tonumber(redis.call('GET', @key) or '0') if tonumber(@value) > cur then redis.call('SET', @key, @value) return tonumber(@value) end return cur");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly RedisOptions _options;
    private readonly ILogger<StoreEpoch> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _seen;
    private long _globalCutoff;

    public StoreEpoch(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, IOptions<RedisOptions> options, ILogger<StoreEpoch> logger)
    {
        _redis = redis;
        _keys = keys;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Tokens issued before this Unix second are dead (0: none).</summary>
    public long GlobalCutoff => Volatile.Read(ref _globalCutoff);

    /// <summary>True once the epoch was read or written at least once.</summary>
    public bool Known => Volatile.Read(ref _seen) is not null;

    /// <summary>Reads the marker; when it is missing, applies the cut-off and writes a new one. Returns true when a loss was handled.</summary>
    public async Task<bool> CheckAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var db = _redis.GetDatabase();
            var epoch = await db.StringGetAsync(_keys.Epoch);
            var lost = false;
            if (epoch.IsNull)
            {
                lost = true;
                var fresh = Guid.NewGuid().ToString("N");
                if (_options.DataLossCutoff)
                {
                    var now = _time.GetUtcNow().ToUnixTimeSeconds();
                    await db.ScriptEvaluateAsync(MaxScript, new { key = _keys.GlobalCutoff, value = now });
                }

                await db.StringSetAsync(_keys.Epoch, fresh, when: When.NotExists);
                epoch = await db.StringGetAsync(_keys.Epoch);
                if (_seen is not null)
                {
                    Log.DataLoss(_logger);
                }
                else
                {
                    Log.Initialised(_logger, _options.DataLossCutoff);
                }

                await _redis.GetSubscriber().PublishAsync(_keys.Channel,
                    new RevocationEvent(RevocationEvent.EpochKind, null, epoch.ToString(), _time.GetUtcNow().ToUnixTimeMilliseconds()).ToJson());
            }
            else if (_seen is not null && !string.Equals(_seen, epoch.ToString(), StringComparison.Ordinal))
            {
                Log.EpochChanged(_logger);
            }

            Volatile.Write(ref _seen, epoch.ToString());
            var cutoff = await db.StringGetAsync(_keys.GlobalCutoff);
            Volatile.Write(ref _globalCutoff, cutoff.TryParse(out long value) ? value : 0);
            return lost;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Error, Message = "Redis lost its data (the epoch marker is gone): every revocation was forgotten, so every token issued before now is refused and users must log in again. Run Redis with AOF persistence")]
        public static partial void DataLoss(ILogger logger);

        [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "No epoch marker in Redis (first start or data loss): a new epoch was recorded; global cut-off applied: {CutoffApplied}")]
        public static partial void Initialised(ILogger logger, bool cutoffApplied);

        [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "The Redis epoch changed since last seen (another instance detected a data loss); its global cut-off applies")]
        public static partial void EpochChanged(ILogger logger);
    }
}
