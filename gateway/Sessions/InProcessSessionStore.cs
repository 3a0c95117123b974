using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Sessions.Embedded;

namespace Gateway.Sessions;

/// <summary>
/// The embedded single-instance store (no Redis configured). Same contract as Redis: denylist entries expire with
/// what they deny, and a sweep drops expired entries so memory stays bounded. With a journal, every write is appended
/// to it (while the user's lock is held, so the journal's order is the order of the writes) and the state is rebuilt
/// from it at start-up: a restart or a crash loses no acknowledged write. Use counts are journalled without an fsync
/// of their own (they are per-request writes): a power loss may forget the last few uses, a process crash none.
/// </summary>
internal sealed class InProcessSessionStore : ISessionStore, IDisposable
{
    // Journal record kinds. Keys join the subject and the id as "<length of sub>:<sub><id>", which no two pairs share.
    private const string UserKind = "user";
    private const string TokenKind = "token";
    private const string SessionKind = "session";
    private const string ActiveKind = "active";
    private const string OnceKind = "once";
    private const string UsesKind = "uses";

    private readonly ConcurrentDictionary<string, UserEntry> _users = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly EmbeddedJournal? _journal;

    private readonly long _skewSeconds;

    public InProcessSessionStore(TimeProvider time, Microsoft.Extensions.Options.IOptions<Tokens.TokenOptions> tokens)
        : this(time, tokens, journal: null)
    {
    }

    /// <summary>A store that journals its writes to <paramref name="journal"/> (when given) and starts from its records.</summary>
    public InProcessSessionStore(TimeProvider time, Microsoft.Extensions.Options.IOptions<Tokens.TokenOptions> tokens, EmbeddedJournal? journal)
    {
        _time = time;
        // Denylist entries outlive the token by the clock skew: the gateway accepts it that much past exp.
        _skewSeconds = (long)tokens.Value.ClockSkew.TotalSeconds;
        _journal = journal;
        if (journal is not null)
        {
            Restore(journal.LiveRecords());
        }

        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>The journal this store writes to, if any.</summary>
    public EmbeddedJournal? Journal => _journal;

    public string Kind => "in-process";

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public ValueTask<SessionState> ReadAsync(string sub, string? sid, string? jti, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(sub, out var user))
        {
            return new(default(SessionState));
        }

        var now = Now;
        lock (user)
        {
            return new(new SessionState(
                user.Version,
                user.Cutoff,
                sid is not null && IsLive(user.Sessions, sid, now),
                jti is not null && IsLive(user.Tokens, jti, now),
                user.ActiveUntil > now ? user.Active : null));
        }
    }

    public ValueTask<long> IncrementUsesAsync(string sub, string jti, long exp, CancellationToken cancellationToken)
    {
        var now = Now;
        return new(Mutate(sub, user =>
        {
            var count = user.Uses.TryGetValue(jti, out var entry) && entry.Until > now ? entry.Count + 1 : 1;
            var until = Math.Max(exp + _skewSeconds, now + 1);
            user.Uses[jti] = (count, until);
            Remember(new JournalRecord(UsesKind, Key(sub, jti), count.ToString(CultureInfo.InvariantCulture), until), durable: false);
            return count;
        }));
    }

    public Task RevokeTokenAsync(string sub, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        Mutate(sub, user =>
        {
            var until = user.Tokens[jti] = Math.Max(exp + _skewSeconds + 1, user.Tokens.GetValueOrDefault(jti));
            Remember(new JournalRecord(TokenKind, Key(sub, jti), why, until));
            return until;
        });
        return Task.CompletedTask;
    }

    public Task RevokeSessionAsync(string sub, string sid, long exp, CancellationToken cancellationToken)
    {
        Mutate(sub, user =>
        {
            var until = user.Sessions[sid] = Math.Max(exp + _skewSeconds + 1, user.Sessions.GetValueOrDefault(sid));
            Remember(new JournalRecord(SessionKind, Key(sub, sid), string.Empty, until));
            return until;
        });
        return Task.CompletedTask;
    }

    public Task<long> RevokeUserAsync(string sub, long cutoff, CancellationToken cancellationToken)
    {
        return Task.FromResult(Mutate(sub, user =>
        {
            user.Version++;
            user.Cutoff = Math.Max(user.Cutoff, cutoff);
            Remember(new JournalRecord(UserKind, sub, FormattableString.Invariant($"{user.Version} {user.Cutoff}"), JournalRecord.Never));
            return user.Version;
        }));
    }

    public Task ActivateSessionAsync(string sub, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var until = Now + (long)ttl.TotalSeconds;
        Mutate(sub, user =>
        {
            user.Active = sid;
            Remember(new JournalRecord(ActiveKind, sub, sid, until));
            return user.ActiveUntil = until;
        });
        return Task.CompletedTask;
    }

    public Task<UserState> GetUserAsync(string sub, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(sub, out var user))
        {
            return Task.FromResult(new UserState(sub, 0, null, null));
        }

        lock (user)
        {
            return Task.FromResult(new UserState(sub, user.Version, user.Cutoff == 0 ? null : user.Cutoff, user.ActiveUntil > Now ? user.Active : null));
        }
    }

    public Task<bool> TryMarkOnceAsync(string sub, string id, long exp, CancellationToken cancellationToken)
    {
        var now = Now;
        return Task.FromResult(Mutate(sub, user =>
        {
            if (IsLive(user.Once, id, now))
            {
                return false;
            }

            var until = user.Once[id] = Math.Max(exp + _skewSeconds, now + 1);
            Remember(new JournalRecord(OnceKind, Key(sub, id), string.Empty, until));
            return true;
        }));
    }

    /// <summary>Drops expired entries, and users left with nothing to remember.</summary>
    internal void Sweep()
    {
        var now = Now;
        foreach (var (sub, user) in _users)
        {
            lock (user)
            {
                RemoveExpired(user.Tokens, now);
                RemoveExpired(user.Sessions, now);
                RemoveExpired(user.Once, now);
                foreach (var (jti, use) in user.Uses)
                {
                    if (use.Until <= now)
                    {
                        user.Uses.Remove(jti);
                    }
                }

                if (user.ActiveUntil <= now)
                {
                    user.Active = null;
                }

                if (user.IsEmpty)
                {
                    // Only a user with no version, cut-off or entries is forgotten: forgetting it changes no answer.
                    // Removed tells a writer that fetched this entry before the removal to fetch a fresh one.
                    user.Removed = true;
                    _users.TryRemove(new KeyValuePair<string, UserEntry>(sub, user));
                }
            }
        }
    }

    internal int UserCount => _users.Count;

    public void Dispose() => _sweep.Dispose();

    private T Mutate<T>(string sub, Func<UserEntry, T> change)
    {
        while (true)
        {
            var user = _users.GetOrAdd(sub, static _ => new UserEntry());
            lock (user)
            {
                if (!user.Removed)
                {
                    return change(user);
                }
            }
        }
    }

    private static string Key(string sub, string id) => string.Concat(sub.Length.ToString(CultureInfo.InvariantCulture), ":", sub, id);

    private static bool TrySplitKey(string key, out string sub, out string id)
    {
        sub = id = string.Empty;
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(key.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > key.Length - colon - 1)
        {
            return false;
        }

        sub = key.Substring(colon + 1, length);
        id = key[(colon + 1 + length)..];
        return true;
    }

    /// <summary>Appends a write to the journal (called with the user's lock held). A failed append fails the call.</summary>
    private void Remember(in JournalRecord record, bool durable = true)
    {
        if (_journal is null || !record.IsLiveAt(Now))
        {
            // Nothing to remember: an entry that is already expired changes no answer, now or after a restart.
            return;
        }

        try
        {
            _journal.Append(record, durable);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            throw new SessionStoreUnavailableException($"the embedded store could not record the change in its journal: {ex.Message}", ex);
        }
    }

    /// <summary>Rebuilds the state from the journal's live records (kinds this version does not know are left alone).</summary>
    private void Restore(IReadOnlyList<JournalRecord> records)
    {
        foreach (var record in records)
        {
            var value = record.Value ?? string.Empty;
            switch (record.Kind)
            {
                case UserKind:
                    var parts = value.Split(' ');
                    if (parts.Length == 2
                        && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)
                        && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var cutoff))
                    {
                        var user = _users.GetOrAdd(record.Key, static _ => new UserEntry());
                        user.Version = version;
                        user.Cutoff = cutoff;
                    }

                    break;
                case ActiveKind:
                    var active = _users.GetOrAdd(record.Key, static _ => new UserEntry());
                    active.Active = value;
                    active.ActiveUntil = record.ExpiresAt;
                    break;
                case TokenKind or SessionKind or OnceKind or UsesKind when TrySplitKey(record.Key, out var sub, out var id):
                    var entry = _users.GetOrAdd(sub, static _ => new UserEntry());
                    switch (record.Kind)
                    {
                        case TokenKind:
                            entry.Tokens[id] = record.ExpiresAt;
                            break;
                        case SessionKind:
                            entry.Sessions[id] = record.ExpiresAt;
                            break;
                        case OnceKind:
                            entry.Once[id] = record.ExpiresAt;
                            break;
                        default:
                            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
                            {
                                entry.Uses[id] = (count, record.ExpiresAt);
                            }

                            break;
                    }

                    break;
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
        public readonly Dictionary<string, long> Tokens = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Sessions = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Once = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (long Count, long Until)> Uses = new(StringComparer.Ordinal);

        public bool IsEmpty => Version == 0 && Cutoff == 0 && Active is null && Tokens.Count == 0 && Sessions.Count == 0 && Once.Count == 0 && Uses.Count == 0;
    }
}
