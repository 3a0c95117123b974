using System.Collections.Concurrent;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// The embedded single-instance store (no Redis configured). Same contract as Redis: denylist entries expire with
/// what they deny (<see cref="DenylistLifetime"/>), and a sweep drops expired entries so memory stays bounded. Every
/// write is reported to the <see cref="RevocationNotifier"/> (there is no event stream without Redis).
/// </summary>
internal sealed class EmbeddedSessionStore : ISessionStore, IDisposable
{
    public const string KindName = "embedded";

    private readonly ConcurrentDictionary<UserKey, UserEntry> _users = new();
    private readonly DenylistLifetime _lifetime;
    private readonly RevocationNotifier _notifier;
    private readonly ITimer _sweep;

    public EmbeddedSessionStore(TimeProvider time, DenylistLifetime lifetime, RevocationNotifier notifier)
    {
        _lifetime = lifetime;
        _notifier = notifier;
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
            return new(new SessionState(
                entry.Version,
                entry.Cutoff,
                sid is not null && IsLive(entry.Sessions, sid, now),
                jti is not null && IsLive(entry.Tokens, jti, now),
                entry.ActiveUntil > now ? entry.Active : null,
                ClientCutoff: client is not null && entry.Clients.TryGetValue(client, out var c) && c.Until > now ? c.Cutoff : 0));
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
        _notifier.UserChanged(user, RevocationEvent.TokenKind);
        return Task.CompletedTask;
    }

    public Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken)
    {
        var until = _lifetime.Until(exp);
        Mutate(user, entry => entry.Sessions[sid] = Math.Max(until, entry.Sessions.GetValueOrDefault(sid)));
        _notifier.UserChanged(user, RevocationEvent.SessionKind);
        return Task.CompletedTask;
    }

    public Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var version = Mutate(user, entry =>
        {
            entry.Version++;
            entry.Cutoff = Math.Max(entry.Cutoff, cutoff);
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
            entry.Clients[client] = (Math.Max(previous.Cutoff, cutoff), Math.Max(previous.Until, keepUntil));
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
        public readonly Dictionary<string, long> Tokens = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Sessions = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Once = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (long Cutoff, long Until)> Clients = new(StringComparer.Ordinal);
        public readonly Dictionary<(string Route, string Jti), (long Count, long Until)> Uses = [];

        public bool IsEmpty => Version == 0 && Cutoff == 0 && Active is null && Tokens.Count == 0 && Sessions.Count == 0 && Once.Count == 0 &&
            Uses.Count == 0 && Clients.Count == 0;
    }
}
