using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.OperatorConsole;

/// <summary>
/// Console sessions, server side: the cookie holds an opaque random id (256 bits) that maps here to the admin key's id
/// and a CSRF token. Sessions end after <c>IdleTimeout</c> without use, <c>MaxLifetime</c> after sign-in, at sign-out,
/// and at restart (nothing is persisted). Bounded: past <c>MaxSessions</c> the least recently used is ended.
/// </summary>
internal sealed class ConsoleSessions(IOptions<ConsoleOptions> options, TimeProvider time)
{
    private readonly ConsoleOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public ConsoleSession Create(string keyId)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        while (_sessions.Count >= _options.MaxSessions && _sessions.Values.MinBy(s => s.LastUsed) is { } oldest)
        {
            _sessions.TryRemove(oldest.Id, out _);
        }

        var session = new ConsoleSession(NewSecret(), keyId, NewSecret(), now);
        _sessions[session.Id] = session;
        return session;
    }

    public ConsoleSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - session.LastUsed > _options.IdleTimeout || now - session.Created > _options.MaxLifetime)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        session.LastUsed = now;
        return session;
    }

    public void End(string id) => _sessions.TryRemove(id, out _);

    /// <summary>Constant-time comparison of a submitted token with the expected one.</summary>
    public static bool SameToken(string? submitted, string expected) =>
        submitted is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(submitted), Encoding.UTF8.GetBytes(expected));

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, session) in _sessions)
        {
            if (now - session.LastUsed > _options.IdleTimeout || now - session.Created > _options.MaxLifetime)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }
}
