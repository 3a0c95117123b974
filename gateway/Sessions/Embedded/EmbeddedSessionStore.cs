using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// The embedded single-instance store (no Redis configured). Same contract as Redis: denylist entries expire with
/// what they deny (<see cref="DenylistLifetime"/>), and a sweep drops expired entries so memory stays bounded. With
/// a journal, every write is appended to it (while the user's lock is held, so the journal's order is the order of
/// the writes) and the state is rebuilt from it at start-up: a restart or a crash loses no acknowledged write. Use
/// counts are journalled without an fsync of their own (they are per-request writes): a power loss may forget the
/// last few uses, a process crash none.
/// Every write is reported to the <see cref="RevocationNotifier"/> (there is no event stream without Redis).
/// </summary>
internal sealed class EmbeddedSessionStore : ISessionStore, IDisposable
{
    public const string KindName = "embedded";

    // Journal record kinds. Keys join their parts as "<length>:<part>" each, which no two tuples share.
    private const string UserKind = "user";
    private const string TokenKind = "token";
    private const string SessionKind = "session";
    private const string ClientKind = "client";
    private const string ActiveKind = "active";
    private const string OnceKind = "once";
    private const string UsesKind = "uses";

    private readonly ConcurrentDictionary<UserKey, UserEntry> _users = new();
    private readonly DenylistLifetime _lifetime;
    private readonly RevocationNotifier _notifier;
    private readonly ITimer _sweep;
    private readonly SessionOptions _sessions;
    private int _seenCount;

    public EmbeddedSessionStore(TimeProvider time, DenylistLifetime lifetime, RevocationNotifier notifier, IOptions<SessionOptions>? sessions = null)
        : this(time, lifetime, notifier, journal: null, sessions)
    {
    }

    /// <summary>A store that journals its writes to <paramref name="journal"/> (when given) and starts from its records.</summary>
    public EmbeddedSessionStore(TimeProvider time, DenylistLifetime lifetime, RevocationNotifier notifier, EmbeddedJournal? journal, IOptions<SessionOptions>? sessions = null)
    {
        _lifetime = lifetime;
        _notifier = notifier;
        _sessions = sessions?.Value ?? new SessionOptions();
        Journal = journal;
        if (journal is not null)
        {
            Restore(journal.LiveRecords());
        }

        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>The journal this store writes to, if any.</summary>
    public EmbeddedJournal? Journal { get; }

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
            Remember(new JournalRecord(UsesKind, Key(user, route, jti), count.ToString(CultureInfo.InvariantCulture), until), durable: false);
            return count;
        }));
    }

    public Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        Mutate(user, entry =>
        {
            var kept = entry.Tokens[jti] = Math.Max(until, entry.Tokens.GetValueOrDefault(jti));
            Remember(new JournalRecord(TokenKind, Key(user, jti), why, kept));
            return kept;
        });
        _notifier.UserChanged(user, RevocationEvent.TokenKind);
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

            var kept = entry.Sessions[sid] = Math.Max(until, entry.Sessions.GetValueOrDefault(sid));
            Remember(new JournalRecord(SessionKind, Key(user, sid), string.Empty, kept));
            return kept;
        });
        _notifier.UserChanged(user, RevocationEvent.SessionKind);
        return Task.CompletedTask;
    }

    public Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var version = Mutate(user, entry =>
        {
            entry.Version++;
            entry.Cutoff = Math.Max(entry.Cutoff, cutoff);
            Remember(new JournalRecord(UserKind, Key(user), FormattableString.Invariant($"{entry.Version} {entry.Cutoff}"), JournalRecord.Never));
            entry.FirstLead = null;
            entry.NewestLead = null;
            return entry.Version;
        });
        _notifier.UserChanged(user, RevocationEvent.UserKind);
        return Task.FromResult(version);
    }

    public Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken)
    {
        var keepUntil = _lifetime.Until(until);
        Mutate(user, entry =>
        {
            var previous = entry.Clients.GetValueOrDefault(client);
            var kept = entry.Clients[client] = (Math.Max(previous.Cutoff, cutoff), Math.Max(previous.Until, keepUntil));
            Remember(new JournalRecord(ClientKind, Key(user, client), kept.Cutoff.ToString(CultureInfo.InvariantCulture), kept.Until));
            return 0;
        });
        _notifier.UserChanged(user, RevocationEvent.ClientKind);
        return Task.CompletedTask;
    }

    public Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var until = Now + (long)ttl.TotalSeconds;
        Mutate(user, entry =>
        {
            entry.Active = sid;
            Remember(new JournalRecord(ActiveKind, Key(user), sid, until));
            return entry.ActiveUntil = until;
        });
        _notifier.UserChanged(user, RevocationEvent.ActiveKind);
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
            Remember(new JournalRecord(OnceKind, Key(user, id), string.Empty, until));
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

    private static string Key(UserKey user, params string[] ids)
    {
        var sb = new StringBuilder();
        foreach (var part in (string[])[user.Issuer, user.Subject, .. ids])
        {
            sb.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
        }

        return sb.ToString();
    }

    private static bool TrySplitKey(string key, out string[] parts)
    {
        var list = new List<string>(4);
        var at = 0;
        while (at < key.Length)
        {
            var colon = key.IndexOf(':', at);
            if (colon <= at || !int.TryParse(key.AsSpan(at, colon - at), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length > key.Length - colon - 1)
            {
                parts = [];
                return false;
            }

            list.Add(key.Substring(colon + 1, length));
            at = colon + 1 + length;
        }

        parts = [.. list];
        return parts.Length >= 2;
    }

    /// <summary>Appends a write to the journal (called with the user's lock held). A failed append fails the call.</summary>
    private void Remember(in JournalRecord record, bool durable = true)
    {
        if (Journal is null || !record.IsLiveAt(Now))
        {
            // Nothing to remember: an entry that is already expired changes no answer, now or after a restart.
            return;
        }

        try
        {
            Journal.Append(record, durable);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            throw new SessionStoreUnavailableException($"the embedded store could not record the change in its journal: {ex.Message}", ex);
        }
    }

    /// <summary>Rebuilds the state from the journal's live records (kinds or keys this version does not know are left alone).</summary>
    private void Restore(IReadOnlyList<JournalRecord> records)
    {
        foreach (var record in records)
        {
            if (!TrySplitKey(record.Key, out var parts))
            {
                continue;
            }

            var entry = _users.GetOrAdd(new UserKey(parts[0], parts[1]), static _ => new UserEntry());
            var value = record.Value ?? string.Empty;
            switch (record.Kind, parts.Length)
            {
                case (UserKind, 2):
                    var numbers = value.Split(' ');
                    if (numbers.Length == 2 && long.TryParse(numbers[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) &&
                        long.TryParse(numbers[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cutoff))
                    {
                        entry.Version = version;
                        entry.Cutoff = cutoff;
                    }

                    break;
                case (ActiveKind, 2):
                    entry.Active = value;
                    entry.ActiveUntil = record.ExpiresAt;
                    break;
                case (TokenKind, 3):
                    entry.Tokens[parts[2]] = record.ExpiresAt;
                    break;
                case (SessionKind, 3):
                    entry.Sessions[parts[2]] = record.ExpiresAt;
                    break;
                case (OnceKind, 3):
                    entry.Once[parts[2]] = record.ExpiresAt;
                    break;
                case (ClientKind, 3) when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var clientCutoff):
                    entry.Clients[parts[2]] = (clientCutoff, record.ExpiresAt);
                    break;
                case (UsesKind, 4) when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count):
                    entry.Uses[(parts[2], parts[3])] = (count, record.ExpiresAt);
                    break;
            }
        }
    }

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
