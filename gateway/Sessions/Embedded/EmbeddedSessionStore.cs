using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// The embedded single-instance store (no Redis configured). Same contract as Redis: denylist entries expire with
/// what they deny (<see cref="DenylistLifetime"/>), and a sweep drops expired entries so memory stays bounded.
/// </summary>
internal sealed class EmbeddedSessionStore : ISessionStore, IDisposable
{
    public const string KindName = "embedded";

    private readonly ConcurrentDictionary<UserKey, UserEntry> _users = new();
    private readonly DenylistLifetime _lifetime;
    private readonly ITimer _sweep;
    private readonly SessionOptions _sessions;
    private int _seenCount;

    public EmbeddedSessionStore(TimeProvider time, DenylistLifetime lifetime, IOptions<SessionOptions>? sessions = null)
    {
        _lifetime = lifetime;
        _sessions = sessions?.Value ?? new SessionOptions();
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public string Kind => KindName;

    private long Now => _lifetime.Now;

    public ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(user, out var entry))
        {
            return new(default(SessionState));
        }

        var now = Now;
        lock (entry)
        {
            var seen = sid is not null && entry.Seen.TryGetValue(sid, out var record) ? record : null;
            return new(new SessionState(
                entry.Version,
                entry.Cutoff,
                sid is not null && IsLive(entry.Sessions, sid, now),
                jti is not null && IsLive(entry.Tokens, jti, now),
                entry.ActiveUntil > now ? entry.Active : null,
                ClientCutoff: client is not null && entry.Clients.TryGetValue(client, out var c) && c.Until > now ? c.Cutoff : 0,
                SessionNewestIat: seen?.NewestIat ?? 0,
                SessionFirstIat: seen?.FirstIat ?? 0,
                NewestLead: entry.NewestUntil > now ? entry.NewestLead : null,
                FirstLead: entry.FirstUntil > now ? entry.FirstLead : null));
        }
    }

    public ValueTask<long> IncrementUsesAsync(UserKey user, string route, string jti, long exp, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = _lifetime.Until(exp);
        return new(Mutate(user, entry =>
        {
            var key = (route, jti);
            var count = entry.Uses.TryGetValue(key, out var use) && use.Until > now ? use.Count + 1 : 1;
            entry.Uses[key] = (count, until);
            return count;
        }));
    }

    public Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        Mutate(user, entry => entry.Tokens[jti] = Math.Max(until, entry.Tokens.GetValueOrDefault(jti)));
        return Task.CompletedTask;
    }

    public Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        Mutate(user, entry =>
        {
            if (entry.FirstLead is { } lead && lead.Sid == sid)
            {
                entry.FirstLead = null;
            }

            if (entry.NewestLead is { } newest && newest.Sid == sid)
            {
                entry.NewestLead = null;
            }

            return entry.Sessions[sid] = Math.Max(until, entry.Sessions.GetValueOrDefault(sid));
        });
        return Task.CompletedTask;
    }

    public Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken) =>
        Task.FromResult(Mutate(user, entry =>
        {
            entry.Version++;
            entry.Cutoff = Math.Max(entry.Cutoff, cutoff);
            entry.FirstLead = null;
            entry.NewestLead = null;
            return entry.Version;
        }));

    public Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken)
    {
        var keepUntil = _lifetime.Until(until);
        Mutate(user, entry =>
        {
            var previous = entry.Clients.GetValueOrDefault(client);
            entry.Clients[client] = (Math.Max(previous.Cutoff, cutoff), Math.Max(previous.Until, keepUntil));
            return 0;
        });
        return Task.CompletedTask;
    }

    public Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var until = Now + (long)ttl.TotalSeconds;
        Mutate(user, entry =>
        {
            entry.Active = sid;
            return entry.ActiveUntil = until;
        });
        return Task.CompletedTask;
    }

    public Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(user, out var entry))
        {
            return Task.FromResult(new UserState(user.Subject, 0, null, null));
        }

        lock (entry)
        {
            return Task.FromResult(new UserState(user.Subject, entry.Version, entry.Cutoff == 0 ? null : entry.Cutoff, entry.ActiveUntil > Now ? entry.Active : null));
        }
    }

    public Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var now = Now;
        var lifetime = (long)_sessions.MaxSessionLifetime.TotalSeconds;
        var max = _sessions.Inventory.MaxSessionsPerUser;
        return Task.FromResult(Mutate(user, entry =>
        {
            var sid = sighting.Sid;
            var old = entry.Seen.GetValueOrDefault(sid);
            if (old is null && Volatile.Read(ref _seenCount) >= _sessions.Inventory.MaxSessions)
            {
                // Full in total: a new session is not recorded (the sweep makes room as sessions expire).
                return false;
            }

            var record = old is null
                ? new SessionRecord(sid, sighting.Client, sighting.SeenAt, sighting.SeenAt, sighting.IssuedAt, sighting.IssuedAt, sighting.AuthTime, sighting.Agent, sighting.Address)
                : old with
                {
                    Client = sighting.Client ?? old.Client,
                    FirstSeen = Math.Min(old.FirstSeen, sighting.SeenAt),
                    LastSeen = Math.Max(old.LastSeen, sighting.SeenAt),
                    NewestIat = Math.Max(old.NewestIat, sighting.IssuedAt),
                    FirstIat = Math.Min(old.FirstIat, sighting.IssuedAt),
                    AuthTime = sighting.AuthTime is { } a ? Math.Max(a, old.AuthTime ?? 0) : old.AuthTime,
                    Agent = sighting.Agent ?? old.Agent,
                    Address = sighting.Address ?? old.Address,
                };
            entry.Seen[sid] = record;
            if (old is null)
            {
                Interlocked.Increment(ref _seenCount);
            }

            // Past its lifetime, or beyond the per-user bound: the least recently seen go.
            foreach (var gone in entry.Seen.Values.Where(r => r.LastSeen < now - lifetime).Select(r => r.Sid).ToList())
            {
                RemoveSeen(entry, gone);
            }

            while (entry.Seen.Count > max)
            {
                RemoveSeen(entry, entry.Seen.Values.MinBy(r => (r.LastSeen, r.NewestIat))!.Sid);
            }

            if (entry.FirstLead is { } lead && lead.Sid == sid && entry.FirstUntil > now)
            {
                entry.FirstUntil = now + (long)Math.Ceiling(idleTimeout.TotalSeconds);
            }

            return old is null || record.NewestIat != old.NewestIat || record.FirstIat != old.FirstIat;
        }));
    }

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(UserKey user, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(user, out var entry))
        {
            return Task.FromResult<IReadOnlyList<SessionRecord>>([]);
        }

        var oldest = Now - (long)_sessions.MaxSessionLifetime.TotalSeconds;
        lock (entry)
        {
            return Task.FromResult<IReadOnlyList<SessionRecord>>(entry.Seen.Values.Where(r => r.LastSeen >= oldest)
                .OrderByDescending(r => r.LastSeen).ThenByDescending(r => r.NewestIat).ToList());
        }
    }

    public Task<SessionLead> ClaimLeadAsync(UserKey user, LeadKind kind, SessionLead candidate, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = now + (long)Math.Ceiling(ttl.TotalSeconds);
        return Task.FromResult(Mutate(user, entry =>
        {
            if (kind == LeadKind.NewestLogin)
            {
                if (entry.NewestUntil <= now || entry.NewestLead is not { } current || current.LoginAt < candidate.LoginAt)
                {
                    (entry.NewestLead, entry.NewestUntil) = (candidate, until);
                }

                return entry.NewestLead!.Value;
            }

            if (entry.FirstUntil <= now || entry.FirstLead is null)
            {
                (entry.FirstLead, entry.FirstUntil) = (candidate, until);
            }

            return entry.FirstLead!.Value;
        }));
    }

    private void RemoveSeen(UserEntry entry, string sid)
    {
        if (entry.Seen.Remove(sid))
        {
            Interlocked.Decrement(ref _seenCount);
        }
    }

    internal int SeenCount => Volatile.Read(ref _seenCount);

    public Task<bool> TryMarkOnceAsync(UserKey user, string id, long exp, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = _lifetime.Until(exp);
        return Task.FromResult(Mutate(user, entry =>
        {
            if (IsLive(entry.Once, id, now))
            {
                return false;
            }

            entry.Once[id] = until;
            return true;
        }));
    }

    // The embedded store is never unreachable.
    public bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, out SessionState state)
    {
        state = default;
        return false;
    }

    /// <summary>Drops expired entries, and users left with nothing to remember.</summary>
    internal void Sweep()
    {
        var now = Now;
        foreach (var (key, entry) in _users)
        {
            lock (entry)
            {
                RemoveExpired(entry.Tokens, now);
                RemoveExpired(entry.Sessions, now);
                RemoveExpired(entry.Once, now);
                foreach (var (use, value) in entry.Uses)
                {
                    if (value.Until <= now)
                    {
                        entry.Uses.Remove(use);
                    }
                }

                foreach (var (client, value) in entry.Clients)
                {
                    if (value.Until <= now)
                    {
                        entry.Clients.Remove(client);
                    }
                }

                if (entry.ActiveUntil <= now)
                {
                    entry.Active = null;
                }

                if (entry.NewestUntil <= now)
                {
                    entry.NewestLead = null;
                }

                if (entry.FirstUntil <= now)
                {
                    entry.FirstLead = null;
                }

                var oldestSeen = now - (long)_sessions.MaxSessionLifetime.TotalSeconds;
                foreach (var record in entry.Seen.Values.Where(r => r.LastSeen < oldestSeen).ToList())
                {
                    RemoveSeen(entry, record.Sid);
                }

                if (entry.IsEmpty)
                {
                    // Only a user with no version, cut-off or entries is forgotten: forgetting it changes no answer.
                    // Removed tells a writer that fetched this entry before the removal to fetch a fresh one.
                    entry.Removed = true;
                    _users.TryRemove(new KeyValuePair<UserKey, UserEntry>(key, entry));
                }
            }
        }
    }

    internal int UserCount => _users.Count;

    public void Dispose() => _sweep.Dispose();

    private T Mutate<T>(UserKey user, Func<UserEntry, T> change)
    {
        while (true)
        {
            var entry = _users.GetOrAdd(user, static _ => new UserEntry());
            lock (entry)
            {
                if (!entry.Removed)
                {
                    return change(entry);
                }
            }
        }
    }

    private static bool IsLive(Dictionary<string, long> entries, string id, long now) =>
        entries.TryGetValue(id, out var until) && until > now;

    private static void RemoveExpired(Dictionary<string, long> entries, long now)
    {
        foreach (var (id, until) in entries)
        {
            if (until <= now)
            {
                entries.Remove(id);
            }
        }
    }

    private sealed class UserEntry
    {
        public long Version;
        public long Cutoff;
        public string? Active;
        public long ActiveUntil;
        public bool Removed;
        public SessionLead? NewestLead;
        public long NewestUntil;
        public SessionLead? FirstLead;
        public long FirstUntil;
        public readonly Dictionary<string, SessionRecord> Seen = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Tokens = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Sessions = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Once = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (long Cutoff, long Until)> Clients = new(StringComparer.Ordinal);
        public readonly Dictionary<(string Route, string Jti), (long Count, long Until)> Uses = [];

        public bool IsEmpty => Version == 0 && Cutoff == 0 && Active is null && Tokens.Count == 0 && Sessions.Count == 0 && Once.Count == 0 &&
            Uses.Count == 0 && Clients.Count == 0 && Seen.Count == 0 && NewestLead is null && FirstLead is null;
    }
}
