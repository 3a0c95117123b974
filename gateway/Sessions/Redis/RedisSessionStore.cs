using System.Diagnostics;
using Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// Session state in Redis under the key schema of <see cref="RedisKeys"/>. A check is one MGET of one user's keys
/// (one slot); every write sets a TTL on what it denies (<see cref="DenylistLifetime"/>) and publishes a
/// <see cref="RevocationEvent"/>.
/// </summary>
internal sealed partial class RedisSessionStore : ISessionStore
{
    public const string KindName = "redis";

    private const string RevokedValue = "revoked";

    // INCR then set the expiry once, atomically: the counter lives exactly as long as the token.
    private static readonly LuaScript IncrementScript = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('EXPIREAT', @key, @exp) end return n");

    // Version bump and cut-off in one step: the cut-off only moves forward.
    private static readonly LuaScript RevokeUserScript = LuaScript.Prepare(
        "local v = redis.call('INCR', @ver) local cur = tonumber(redis.call('GET', @nbf) or '0') " +
        "if tonumber(@cutoff) > cur then redis.call('SET', @nbf, @cutoff) end return v");

    // A per-client cut-off that only moves forward, and lives at least until @until.
    private static readonly LuaScript ClientCutoffScript = LuaScript.Prepare(
        "local cur = tonumber(redis.call('GET', @key) or '0') if tonumber(@cutoff) > cur then redis.call('SET', @key, @cutoff) end " +
        "if redis.call('TTL', @key) < tonumber(@ttl) then redis.call('EXPIRE', @key, @ttl) end return 1");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly GatewayMetrics _metrics;
    private readonly DenylistLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cap;
    private readonly ILogger<RedisSessionStore> _logger;

    public RedisSessionStore(IConnectionMultiplexer redis, RedisKeys keys, GatewayMetrics metrics, DenylistLifetime lifetime, TimeProvider time, ILogger<RedisSessionStore> logger)
    {
        _redis = redis;
        _keys = keys;
        _metrics = metrics;
        _lifetime = lifetime;
        _time = time;
        // Gateway:Redis:Timeout, as configured on the multiplexer (RedisServiceCollectionExtensions).
        _cap = RedisCallCap.ForMilliseconds(redis.TimeoutMilliseconds);
        _logger = logger;
    }

    public string Kind => KindName;

    private IDatabase Db => _redis.GetDatabase();

    public async ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        var keys = new RedisKey[3 + (sid is null ? 0 : 1) + (jti is null ? 0 : 1) + (client is null ? 0 : 1)];
        keys[0] = _keys.Version(user);
        keys[1] = _keys.Cutoff(user);
        keys[2] = _keys.Active(user);
        var i = 3;
        if (sid is not null)
        {
            keys[i++] = _keys.Session(user, sid);
        }

        if (jti is not null)
        {
            keys[i++] = _keys.Token(user, jti);
        }

        if (client is not null)
        {
            keys[i] = _keys.Client(user, client);
        }

        var values = await Call("read", () => Db.StringGetAsync(keys));
        i = 3;
        var sessionRevoked = sid is not null && !values[i++].IsNull;
        var tokenRevoked = jti is not null && !values[i++].IsNull;
        var clientCutoff = client is not null ? ToLong(values[i]) : 0;
        return new SessionState(ToLong(values[0]), ToLong(values[1]), sessionRevoked, tokenRevoked, values[2].IsNull ? null : values[2].ToString(), ClientCutoff: clientCutoff);
    }

    public async ValueTask<long> IncrementUsesAsync(UserKey user, string route, string jti, long exp, CancellationToken cancellationToken)
    {
        var result = await Call("uses", () => Db.ScriptEvaluateAsync(IncrementScript, new { key = _keys.Uses(user, route, jti), exp = _lifetime.Until(exp) }));
        return (long)result;
    }

    public async Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        if (!_lifetime.IsOver(exp))
        {
            // The index first: an instance that reloads its replica between the two writes must not miss the entry.
            await IndexAsync(DenylistHash.Token(user, jti), until);
            await Call("revoke_token", () => Db.StringSetAsync(_keys.Token(user, jti), why, _lifetime.Remaining(exp)));
        }

        await PublishAsync(RevocationEvent.TokenKind, user, jti, until);
    }

    public async Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        if (!_lifetime.IsOver(exp))
        {
            await IndexAsync(DenylistHash.Session(user, sid), until);
            await Call("revoke_session", () => Db.StringSetAsync(_keys.Session(user, sid), RevokedValue, _lifetime.Remaining(exp)));
        }

        await PublishAsync(RevocationEvent.SessionKind, user, sid, until);
    }

    public async Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var result = await Call("revoke_user", () => Db.ScriptEvaluateAsync(RevokeUserScript, new { ver = _keys.Version(user), nbf = _keys.Cutoff(user), cutoff }));
        await PublishAsync(RevocationEvent.UserKind, user, null);
        return (long)result;
    }

    public async Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken)
    {
        var ttl = (long)_lifetime.Remaining(until).TotalSeconds;
        await Call("revoke_client", () => Db.ScriptEvaluateAsync(ClientCutoffScript, new { key = _keys.Client(user, client), cutoff, ttl }));
        await PublishAsync(RevocationEvent.ClientKind, user, client);
    }

    public async Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await Call("activate", () => Db.StringSetAsync(_keys.Active(user), sid, ttl));
        await PublishAsync(RevocationEvent.ActiveKind, user, sid);
    }

    public async Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken)
    {
        var values = await Call("user", () => Db.StringGetAsync([_keys.Version(user), _keys.Cutoff(user), _keys.Active(user)]));
        var cutoff = ToLong(values[1]);
        return new UserState(user.Subject, ToLong(values[0]), cutoff == 0 ? null : cutoff, values[2].IsNull ? null : values[2].ToString());
    }

    public async Task<bool> TryMarkOnceAsync(UserKey user, string id, long exp, CancellationToken cancellationToken) =>
        await Call("once", () => Db.StringSetAsync(_keys.Once(user, id), "1", _lifetime.Remaining(exp), When.NotExists));

    // Redis itself keeps no last-known copy; the caching layer does.
    public bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, out SessionState state)
    {
        state = default;
        return false;
    }

    /// <summary>Every live denylist entry of the index, as (hash, until), read in pages (a replica's full load).</summary>
    public async Task<List<KeyValuePair<ulong, long>>> ReadDenylistIndexAsync(int limit)
    {
        const int Page = 10_000;
        var now = _lifetime.Now;
        var all = new List<KeyValuePair<ulong, long>>();
        for (var skip = 0; ; skip += Page)
        {
            var page = await Call("denylist_load", () => Db.SortedSetRangeByScoreWithScoresAsync(_keys.Denylist, now, double.PositiveInfinity, Exclude.Start, Order.Ascending, skip, Page));
            foreach (var entry in page)
            {
                if (ulong.TryParse((string?)entry.Element, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var hash))
                {
                    all.Add(new(hash, (long)entry.Score));
                }
            }

            if (page.Length < Page || all.Count > limit)
            {
                return all;
            }
        }
    }

    /// <summary>Drops expired members from the index.</summary>
    public Task<long> TrimDenylistIndexAsync() =>
        Call("denylist_trim", () => Db.SortedSetRemoveRangeByScoreAsync(_keys.Denylist, double.NegativeInfinity, _lifetime.Now));

    // GT: a later expiry wins, an earlier one never shortens an entry.
    private Task<bool> IndexAsync(ulong hash, long until) =>
        Call("denylist_index", () => Db.SortedSetAddAsync(_keys.Denylist, DenylistHash.Member(hash), until, SortedSetWhen.GreaterThan));

    private Task<long> PublishAsync(string kind, UserKey user, string? id, long? until = null) =>
        Call("publish", () => _redis.GetSubscriber().PublishAsync(_keys.Channel,
            (RevocationEvent.For(kind, user, id, _time.GetUtcNow().ToUnixTimeMilliseconds()) with { Until = until }).ToJson()));

    private static long ToLong(RedisValue value) => value.IsNull ? 0 : value.TryParse(out long parsed) ? parsed : 0;

    private async Task<T> Call<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().WaitAsync(_cap, _time);
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
        [LoggerMessage(EventId = LogEvents.RedisCallFailed, Level = LogLevel.Warning, Message = "Redis {Operation} failed ({ErrorType})")]
        public static partial void CallFailed(ILogger logger, string operation, string errorType);
    }
}
