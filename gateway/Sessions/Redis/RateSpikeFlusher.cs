using Gateway.Gate.Refusals;
using Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Rate-spike counting over every instance. Each instance counts locally (<see cref="RateSpikeDetector"/>, no Redis on
/// the request path) and, every <c>RateSpike:FlushInterval</c>, adds its new uses of each token to a per-window counter
/// in Redis (<see cref="RedisKeys.RateWindow"/>, in the user's slot, expiring after two windows), in one pipeline, and
/// reads back the total of every instance. The total is a sliding window: this window's count plus the previous
/// window's, weighted by the part of it still inside the last <c>Window</c>. A token over the threshold is denylisted
/// (why <c>rate_spike</c>) and the usual event takes that to every instance. Detection lags by at most one flush
/// interval plus the pub/sub delay, so a spike is caught within about threshold + rate × interval uses.
/// </summary>
internal sealed partial class RateSpikeFlusher : BackgroundService
{
    // Adds this instance's uses, sets the expiry on the window's first write, returns this and the previous window's count.
    private static readonly LuaScript AddScript = LuaScript.Prepare(
        "local n = redis.call('INCRBY', @key, @uses) if n == tonumber(@uses) then redis.call('PEXPIRE', @key, @ttl) end " +
        "return {n, tonumber(redis.call('GET', @previous) or '0')}");

    private readonly RateSpikeDetector _detector;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly RateSpikeOptions _options;
    private readonly ILogger<RateSpikeFlusher> _logger;
    private readonly TimeSpan _cap;

    public RateSpikeFlusher(RateSpikeDetector detector, IConnectionMultiplexer redis, RedisKeys keys, ISessionStore store, TimeProvider time,
        IOptions<SessionOptions> sessions, IOptions<RedisOptions> redisOptions, ILogger<RateSpikeFlusher> logger)
    {
        _detector = detector;
        _redis = redis;
        _keys = keys;
        _store = store;
        _time = time;
        _options = sessions.Value.RateSpike;
        _logger = logger;
        _cap = RedisCallCap.For(redisOptions.Value.Timeout);
        if (_options.Enabled)
        {
            _detector.ShareCounts();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await FlushAsync(stoppingToken);
        }
    }

    /// <summary>Merges the uses counted since the last flush; revokes the tokens over the threshold over all instances.</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var uses = _detector.TakeUnflushed();
        if (uses.Count == 0)
        {
            return;
        }

        var windowMs = (long)_options.Window.TotalMilliseconds;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = now / windowMs;
        var previousWeight = 1 - (double)(now % windowMs) / windowMs;
        var db = _redis.GetDatabase();
        try
        {
            var calls = uses.Select(u => db.ScriptEvaluateAsync(AddScript, new
            {
                key = _keys.RateWindow(u.User, u.TokenId, window),
                previous = _keys.RateWindow(u.User, u.TokenId, window - 1),
                uses = u.Uses,
                ttl = 2 * windowMs,
            })).ToArray();
            var results = await Task.WhenAll(calls).WaitAsync(_cap, _time, cancellationToken);
            for (var i = 0; i < uses.Count; i++)
            {
                var counts = (long[])results[i]!;
                var total = counts[0] + (counts[1] * previousWeight);
                if (total > _options.Threshold)
                {
                    var u = uses[i];
                    await _store.RevokeTokenAsync(u.User, u.TokenId, u.Expires, Reasons.RateSpike.Code, cancellationToken);
                    Log.SharedRateSpikeRevoked(_logger, Reasons.RateSpike.Code, (long)total);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or SessionStoreUnavailableException)
        {
            // These uses stay counted on this instance (its own threshold still applies); the cluster-wide sum misses them.
            Log.FlushFailed(_logger, ex.GetType().Name, uses.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RateSpikeRevoked, Level = LogLevel.Warning, Message = "A token exceeded its request-rate limit over all instances ({Total} uses in the window) and was denylisted (reason {Reason})")]
        public static partial void SharedRateSpikeRevoked(ILogger logger, string reason, long total);

        [LoggerMessage(EventId = LogEvents.RateSpikeFlushFailed, Level = LogLevel.Warning, Message = "Rate-spike counts of {Tokens} token(s) could not be merged into Redis ({ErrorType}); they count on this instance only")]
        public static partial void FlushFailed(ILogger logger, string errorType, int tokens);
    }
}
