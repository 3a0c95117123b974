using System.Diagnostics;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Session state in Redis under the key schema of <see cref="RedisKeys"/>. A check is one MGET of one user's keys
/// (one slot); every write sets a TTL on what it denies and publishes a <see cref="RevocationEvent"/>.
/// </summary>
internal sealed partial class RedisSessionStore : ISessionStore
{
    private const string RevokedValue = "revoked";

    // INCR then set the expiry once, atomically: the counter lives exactly as long as the token.
    private static readonly LuaScript IncrementScript = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('EXPIREAT', @key, @exp) end return n");

    // Version bump and cut-off in one step: the cut-off only moves forward.
    private static readonly LuaScript RevokeUserScript = LuaScript.Prepare(
        "local v = redis.call('INCR', @ver) local cur = tonumber(redis.call('GET', @nbf) or '0') " +
        "if tonumber(@cutoff) > cur then redis.call('SET', @nbf, @cutoff) end return v");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly long _skewSeconds;
    private readonly TimeSpan _hardTimeout;
    private readonly ILogger<RedisSessionStore> _logger;

    public RedisSessionStore(IConnectionMultiplexer redis, RedisKeys keys, GatewayMetrics metrics, TimeProvider time, IOptions<TokenOptions> tokens, ILogger<RedisSessionStore> logger)
    {
        _redis = redis;
        _keys = keys;
        _metrics = metrics;
        _time = time;
        _skewSeconds = (long)tokens.Value.ClockSkew.TotalSeconds;
        // Gateway:Redis:Timeout, as configured on the multiplexer (RedisServiceCollectionExtensions).
        _hardTimeout = TimeSpan.FromMilliseconds(2 * redis.TimeoutMilliseconds);
        _logger = logger;
    }

    public string Kind => "redis";

    private IDatabase Db => _redis.GetDatabase();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public async ValueTask<SessionState> ReadAsync(string sub, string? sid, string? jti, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[3 + (sid is null ? 0 : 1) + (jti is null ? 0 : 1)];
        keys[0] = _keys.Version(sub);
        keys[1] = _keys.Cutoff(sub);
        keys[2] = _keys.Active(sub);
        var i = 3;
        if (sid is not null)
        {
            keys[i++] = _keys.Session(sub, sid);
        }

        if (jti is not null)
        {
            keys[i] = _keys.Token(sub, jti);
        }

        var values = await Call("read", () => Db.StringGetAsync(keys));
        i = 3;
        var sessionRevoked = sid is not null && !values[i++].IsNull;
        var tokenRevoked = jti is not null && !values[i].IsNull;
        return new SessionState(ToLong(values[0]), ToLong(values[1]), sessionRevoked, tokenRevoked, values[2].IsNull ? null : values[2].ToString());
    }

    public async ValueTask<long> IncrementUsesAsync(string sub, string jti, long exp, CancellationToken cancellationToken)
    {
        var result = await Call("uses", () => Db.ScriptEvaluateAsync(IncrementScript, new { key = _keys.Uses(sub, jti), exp = Math.Max(exp + _skewSeconds, Now + 1) }));
        return (long)result;
    }

    public async Task RevokeTokenAsync(string sub, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        var ttl = Remaining(exp);
        if (ttl > TimeSpan.Zero)
        {
            await Call("revoke_token", () => Db.StringSetAsync(_keys.Token(sub, jti), why, ttl));
        }

        await PublishAsync(RevocationEvent.TokenKind, sub, jti);
    }

    public async Task RevokeSessionAsync(string sub, string sid, long exp, CancellationToken cancellationToken)
    {
        var ttl = Remaining(exp);
        if (ttl > TimeSpan.Zero)
        {
            await Call("revoke_session", () => Db.StringSetAsync(_keys.Session(sub, sid), RevokedValue, ttl));
        }

        await PublishAsync(RevocationEvent.SessionKind, sub, sid);
    }

    public async Task<long> RevokeUserAsync(string sub, long cutoff, CancellationToken cancellationToken)
    {
        var result = await Call("revoke_user", () => Db.ScriptEvaluateAsync(RevokeUserScript, new { ver = _keys.Version(sub), nbf = _keys.Cutoff(sub), cutoff }));
        await PublishAsync(RevocationEvent.UserKind, sub, null);
        return (long)result;
    }

    public async Task ActivateSessionAsync(string sub, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await Call("activate", () => Db.StringSetAsync(_keys.Active(sub), sid, ttl));
        await PublishAsync(RevocationEvent.ActiveKind, sub, sid);
    }

    public async Task<UserState> GetUserAsync(string sub, CancellationToken cancellationToken)
    {
        var values = await Call("user", () => Db.StringGetAsync([_keys.Version(sub), _keys.Cutoff(sub), _keys.Active(sub)]));
        var cutoff = ToLong(values[1]);
        return new UserState(sub, ToLong(values[0]), cutoff == 0 ? null : cutoff, values[2].IsNull ? null : values[2].ToString());
    }

    public async Task<bool> TryMarkOnceAsync(string sub, string id, long exp, CancellationToken cancellationToken)
    {
        var ttl = Remaining(exp);
        return await Call("once", () => Db.StringSetAsync(_keys.Once(sub, id), "1", ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1), When.NotExists));
    }

    private Task<long> PublishAsync(string kind, string sub, string? id) =>
        Call("publish", () => _redis.GetSubscriber().PublishAsync(_keys.Channel, new RevocationEvent(kind, sub, id, _time.GetUtcNow().ToUnixTimeMilliseconds()).ToJson()));

    // Denylist entries outlive the token by the clock skew: the gateway accepts it that much past exp.
    private TimeSpan Remaining(long exp) => TimeSpan.FromSeconds(Math.Max(0, exp + _skewSeconds + 1 - Now));

    private static long ToLong(RedisValue value) => value.IsNull ? 0 : value.TryParse(out long parsed) ? parsed : 0;

    private async Task<T> Call<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // StackExchange.Redis applies the timeout only on its heartbeat (about once a second), so a hung Redis would
            // hold a request for up to Timeout + 1 s. Cap it here at twice the timeout: a reply late only because the
            // machine is busy still counts, a hang is cut short.
            var result = await call().WaitAsync(_hardTimeout, _time);
            _metrics.RedisCall(operation, Stopwatch.GetElapsedTime(started), failed: false);
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _metrics.RedisCall(operation, Stopwatch.GetElapsedTime(started), failed: true);
            Log.CallFailed(_logger, operation, ex.GetType().Name);
            throw new SessionStoreUnavailableException($"Redis {operation} failed: {ex.GetType().Name}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Redis {Operation} failed ({ErrorType})")]
        public static partial void CallFailed(ILogger logger, string operation, string errorType);
    }
}
