using System.Collections.Concurrent;

namespace Gateway.Sessions;

/// <summary>
/// The embedded single-instance store (no Redis configured). Same contract as Redis: denylist entries expire with
/// what they deny, and a sweep drops expired entries so memory stays bounded. State is lost on restart.
/// </summary>
internal sealed class InProcessSessionStore : ISessionStore, IDisposable
{
    private readonly ConcurrentDictionary<string, UserEntry> _users = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    private readonly long _skewSeconds;

    public InProcessSessionStore(TimeProvider time, Microsoft.Extensions.Options.IOptions<Tokens.TokenOptions> tokens)
    {
        _time = time;
        // Denylist entries outlive the token by the clock skew: the gateway accepts it that much past exp.
        _skewSeconds = (long)tokens.Value.ClockSkew.TotalSeconds;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

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
            user.Uses[jti] = (count, Math.Max(exp + _skewSeconds, now + 1));
            return count;
        }));
    }

    public Task RevokeTokenAsync(string sub, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        Mutate(sub, user => user.Tokens[jti] = Math.Max(exp + _skewSeconds + 1, user.Tokens.GetValueOrDefault(jti)));
        return Task.CompletedTask;
    }

    public Task RevokeSessionAsync(string sub, string sid, long exp, CancellationToken cancellationToken)
    {
        Mutate(sub, user => user.Sessions[sid] = Math.Max(exp + _skewSeconds + 1, user.Sessions.GetValueOrDefault(sid)));
        return Task.CompletedTask;
    }

    public Task<long> RevokeUserAsync(string sub, long cutoff, CancellationToken cancellationToken)
    {
        return Task.FromResult(Mutate(sub, user =>
        {
            user.Version++;
            user.Cutoff = Math.Max(user.Cutoff, cutoff);
            return user.Version;
        }));
    }

    public Task ActivateSessionAsync(string sub, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var until = Now + (long)ttl.TotalSeconds;
        Mutate(sub, user =>
        {
            user.Active = sid;
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

            user.Once[id] = Math.Max(exp + _skewSeconds, now + 1);
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
