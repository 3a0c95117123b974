using System.Diagnostics;
using Gateway.Gate.ProofOfPossession;
using Gateway.Telemetry;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The replay cache every instance shares (<c>Gateway:Dpop:ReplayScope=Shared</c> with Redis): a proof is new when
/// <c>SET gw:dpop:&lt;digest&gt; 1 NX EX &lt;window&gt;</c> writes it, one round trip per new proof. A local bounded
/// set is asked first, so a replay on the same instance is refused without Redis. An unreachable Redis throws
/// <see cref="SessionStoreUnavailableException"/>: the request gets 503, never an unchecked proof.
/// </summary>
internal sealed class RedisProofReplayCache : IProofReplayCache
{
    private const string Operation = "dpop_replay";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly InMemoryProofReplayCache _local;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cap;

    public RedisProofReplayCache(IConnectionMultiplexer redis, RedisKeys keys, InMemoryProofReplayCache local, GatewayMetrics metrics, TimeProvider time)
    {
        _redis = redis;
        _keys = keys;
        _local = local;
        _metrics = metrics;
        _time = time;
        _cap = RedisCallCap.ForMilliseconds(redis.TimeoutMilliseconds);
    }

    public async ValueTask<bool> TryAddAsync(string key, long expiresAt, CancellationToken ct)
    {
        if (!await _local.TryAddAsync(key, expiresAt, ct))
        {
            return false;
        }

        var ttl = TimeSpan.FromSeconds(Math.Max(1, expiresAt - _time.GetUtcNow().ToUnixTimeSeconds()));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var added = await _redis.GetDatabase().StringSetAsync(_keys.ProofReplay(key), "1", ttl, When.NotExists).WaitAsync(_cap, _time, ct);
            _metrics.RedisCall(Operation, Stopwatch.GetElapsedTime(started), failed: false);
            return added;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _metrics.RedisCall(Operation, Stopwatch.GetElapsedTime(started), failed: true);
            throw new SessionStoreUnavailableException($"Redis {Operation} failed: {ex.GetType().Name}", ex);
        }
    }
}
