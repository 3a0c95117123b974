using System.Diagnostics;
using Gateway.Sessions.Inventory;
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

    // The inventory write: merge one sighting into the session's record, index it by last seen, drop sessions past
    // their lifetime and beyond the per-user bound, advance the session's newest iat, renew a FirstLogin lease it
    // holds. Returns 1 when the newest iat advanced.
    private static readonly LuaScript RecordScript = LuaScript.Prepare(
        "local old = redis.call('HGET', @seen, @sid) local r = {} if old then r = cjson.decode(old) end " +
        "local at = tonumber(@at) local iat = tonumber(@iat) " +
        "r.f = math.min(r.f or at, at) r.l = math.max(r.l or 0, at) r.i = math.max(r.i or 0, iat) r.fi = math.min(r.fi or iat, iat) " +
        "if @auth ~= '' then r.a = math.max(r.a or 0, tonumber(@auth)) end " +
        "if @client ~= '' then r.c = @client end if @agent ~= '' then r.u = @agent end if @addr ~= '' then r.p = @addr end " +
        "redis.call('HSET', @seen, @sid, cjson.encode(r)) redis.call('ZADD', @idx, r.l, @sid) " +
        "local gone = redis.call('ZRANGEBYSCORE', @idx, '-inf', '(' .. @oldest) " +
        "local n = redis.call('ZCARD', @idx) - #gone local max = tonumber(@max) " +
        "if n > max then local extra = redis.call('ZRANGE', @idx, #gone, #gone + n - max - 1) for _, s in ipairs(extra) do table.insert(gone, s) end end " +
        "for _, s in ipairs(gone) do redis.call('HDEL', @seen, s) redis.call('ZREM', @idx, s) end " +
        "redis.call('EXPIRE', @seen, @ttl) redis.call('EXPIRE', @idx, @ttl) " +
        "local cur = redis.call('GET', @siat) local newest = 0 local first = iat " +
        "if cur then local c = string.find(cur, ':') newest = tonumber(string.sub(cur, 1, c - 1)) first = math.min(first, tonumber(string.sub(cur, c + 1))) end " +
        "local advanced = 0 if iat > newest then newest = iat advanced = 1 end " +
        "if advanced == 1 or not cur or first ~= tonumber(string.sub(cur, string.find(cur, ':') + 1)) then redis.call('SET', @siat, newest .. ':' .. first, 'EX', @ttl) advanced = 1 " +
        "else redis.call('EXPIRE', @siat, @ttl) end " +
        "local lead = redis.call('GET', @lease) if lead and string.sub(lead, string.find(lead, ':') + 1) == @sid then redis.call('PEXPIRE', @lease, @idle) end " +
        "return advanced");

    // NewestLogin: replace a lead that logged in earlier. FirstLogin: take a free lease only. Returns the lead after.
    private static readonly LuaScript ClaimScript = LuaScript.Prepare(
        "local cur = redis.call('GET', @key) " +
        "if not cur or (@newest == '1' and tonumber(string.sub(cur, 1, string.find(cur, ':') - 1)) < tonumber(@at)) then " +
        "redis.call('SET', @key, @value, 'PX', @ttl) return @value end return cur");

    // Revoking the session that leads a single-session policy frees the lead.
    private static readonly LuaScript FreeLeadScript = LuaScript.Prepare(
        "local n = 0 for _, k in ipairs({@newest, @first}) do local lead = redis.call('GET', k) " +
        "if lead and string.sub(lead, string.find(lead, ':') + 1) == @sid then redis.call('DEL', k) n = n + 1 end end return n");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly GatewayMetrics _metrics;
    private readonly DenylistLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly RedisCalls _calls;
    private readonly ILogger<RedisSessionStore> _logger;
    private readonly SessionOptions _sessions;

    public RedisSessionStore(IConnectionMultiplexer redis, RedisKeys keys, GatewayMetrics metrics, DenylistLifetime lifetime, TimeProvider time, ILogger<RedisSessionStore> logger,
        Microsoft.Extensions.Options.IOptions<SessionOptions>? sessions = null)
    {
        _sessions = sessions?.Value ?? new SessionOptions();
        _redis = redis;
        _keys = keys;
        _metrics = metrics;
        _lifetime = lifetime;
        _time = time;
        _calls = new RedisCalls(redis, metrics, time, logger);
        _logger = logger;
    }

    public string Kind => KindName;

    private IDatabase Db => _redis.GetDatabase();

    public async ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        const int fixedKeys = 5;
        var keys = new RedisKey[fixedKeys + (sid is null ? 0 : 2) + (jti is null ? 0 : 1) + (client is null ? 0 : 1)];
        keys[0] = _keys.Version(user);
        keys[1] = _keys.Cutoff(user);
        keys[2] = _keys.Active(user);
        keys[3] = _keys.Lead(user, LeadKind.NewestLogin);
        keys[4] = _keys.Lead(user, LeadKind.FirstLogin);
        var i = fixedKeys;
        if (sid is not null)
        {
            keys[i++] = _keys.Session(user, sid);
            keys[i++] = _keys.SessionIat(user, sid);
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
        i = fixedKeys;
        var sessionRevoked = false;
        long newestIat = 0, firstIat = 0;
        if (sid is not null)
        {
            sessionRevoked = !values[i++].IsNull;
            (newestIat, firstIat) = ParseIat(values[i++]);
        }

        var tokenRevoked = jti is not null && !values[i++].IsNull;
        var clientCutoff = client is not null ? ToLong(values[i]) : 0;
        return new SessionState(ToLong(values[0]), ToLong(values[1]), sessionRevoked, tokenRevoked, values[2].IsNull ? null : values[2].ToString(),
            ClientCutoff: clientCutoff, SessionNewestIat: newestIat, SessionFirstIat: firstIat,
            NewestLead: SessionLead.Decode(values[3]), FirstLead: SessionLead.Decode(values[4]));
    }

    private static (long Newest, long First) ParseIat(RedisValue value)
    {
        if (value.IsNull)
        {
            return (0, 0);
        }

        var text = value.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(text.AsSpan(0, colon), out var newest) && long.TryParse(text.AsSpan(colon + 1), out var first) ? (newest, first) : (0, 0);
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

        await Call("free_lead", () => Db.ScriptEvaluateAsync(FreeLeadScript, new { newest = _keys.Lead(user, LeadKind.NewestLogin), first = _keys.Lead(user, LeadKind.FirstLogin), sid }));

        await PublishAsync(RevocationEvent.SessionKind, user, sid, until);
    }

    public async Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var result = await Call("revoke_user", () => Db.ScriptEvaluateAsync(RevokeUserScript, new { ver = _keys.Version(user), nbf = _keys.Cutoff(user), cutoff }));

        // Logout everywhere frees the single-session leads too.
        await Call("free_lead", () => Db.KeyDeleteAsync([_keys.Lead(user, LeadKind.NewestLogin), _keys.Lead(user, LeadKind.FirstLogin)]));
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

    public async Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var ttl = (long)_sessions.MaxSessionLifetime.TotalSeconds;
        var result = await Call("inventory", () => Db.ScriptEvaluateAsync(RecordScript, new
        {
            seen = _keys.Seen(user),
            idx = _keys.SeenIndex(user),
            siat = _keys.SessionIat(user, sighting.Sid),
            lease = _keys.Lead(user, LeadKind.FirstLogin),
            sid = sighting.Sid,
            client = sighting.Client ?? "",
            at = sighting.SeenAt,
            iat = sighting.IssuedAt,
            auth = sighting.AuthTime?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            agent = sighting.Agent ?? "",
            addr = sighting.Address ?? "",
            ttl,
            max = _sessions.Inventory.MaxSessionsPerUser,
            idle = (long)idleTimeout.TotalMilliseconds,
            oldest = _time.GetUtcNow().ToUnixTimeSeconds() - ttl,
        }));
        var advanced = (long)result == 1;
        if (advanced)
        {
            // Other instances merge the iat into their cached copy, so NewestTokenWins sees the newer token within milliseconds.
            await PublishAsync(RevocationEvent.SeenKind, user, sighting.Sid, issuedAt: sighting.IssuedAt);
        }

        return advanced;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(UserKey user, CancellationToken cancellationToken)
    {
        var entries = await Call("inventory_list", () => Db.HashGetAllAsync(_keys.Seen(user)));
        var oldest = _time.GetUtcNow().ToUnixTimeSeconds() - (long)_sessions.MaxSessionLifetime.TotalSeconds;
        var result = new List<SessionRecord>(entries.Length);
        foreach (var entry in entries)
        {
            if (InventoryJson.Parse(entry.Name.ToString(), entry.Value.ToString()) is { } record && record.LastSeen >= oldest)
            {
                result.Add(record);
            }
        }

        result.Sort(static (a, b) => b.LastSeen != a.LastSeen ? b.LastSeen.CompareTo(a.LastSeen) : b.NewestIat.CompareTo(a.NewestIat));
        return result;
    }

    public async Task<SessionLead> ClaimLeadAsync(UserKey user, LeadKind kind, SessionLead candidate, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var value = candidate.Encode();
        var result = await Call("claim_lead", () => Db.ScriptEvaluateAsync(ClaimScript, new
        {
            key = _keys.Lead(user, kind),
            newest = kind == LeadKind.NewestLogin ? "1" : "0",
            at = candidate.LoginAt,
            value,
            ttl = (long)ttl.TotalMilliseconds,
        }));
        var lead = SessionLead.Decode(result.ToString()) ?? candidate;
        if (lead == candidate)
        {
            await PublishAsync(RevocationEvent.LeadKind, user, candidate.Sid);
        }

        return lead;
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

    private Task<long> PublishAsync(string kind, UserKey user, string? id, long? until = null, long? issuedAt = null) =>
        Call("publish", () => _redis.GetSubscriber().PublishAsync(_keys.Channel,
            (RevocationEvent.For(kind, user, id, _time.GetUtcNow().ToUnixTimeMilliseconds()) with { Until = until, IssuedAt = issuedAt }).ToJson()));

    private static long ToLong(RedisValue value) => value.IsNull ? 0 : value.TryParse(out long parsed) ? parsed : 0;

    private Task<T> Call<T>(string operation, Func<Task<T>> call) => _calls.RunAsync(operation, call);

}
