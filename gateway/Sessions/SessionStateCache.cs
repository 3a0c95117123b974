using Gateway.Caching;

namespace Gateway.Sessions;

/// <summary>
/// This instance's bounded copy of session state read from Redis, so a warm user costs no round trip. Kept fresh
/// by <c>gw:revocations</c> events (<see cref="Invalidate"/>); distrusted while the subscription is down
/// (<see cref="SetTrusted"/>); every entry also expires after <c>MaxStaleness</c>.
/// A read that raced with an invalidation is never installed: see <see cref="BeginRead"/> and <see cref="Complete"/>.
/// </summary>
internal sealed class SessionStateCache
{
    private const int Stripes = 4096;
    private const int MaxFactsPerUser = 32;

    private readonly long[] _generations = new long[Stripes];
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleness;
    private readonly GenerationalMap<string, UserEntry> _users;
    private long _trustEpoch;
    private volatile bool _trusted;

    public SessionStateCache(TimeProvider time, TimeSpan maxStaleness, int capacity)
    {
        _time = time;
        _maxStaleness = maxStaleness;
        Capacity = capacity;
        _users = new GenerationalMap<string, UserEntry>(capacity, StringComparer.Ordinal);
    }

    public int Capacity { get; }

    public bool IsTrusted => _trusted;

    public int Count => _users.Count;

    /// <summary>A fresh, trusted answer for this token, if every fact it needs is known.</summary>
    public bool TryGet(string sub, string? sid, string? jti, out SessionState state)
    {
        state = default;
        if (!_trusted || Capacity == 0 || Find(sub) is not { } entry || entry.TrustEpoch != Volatile.Read(ref _trustEpoch) ||
            _time.GetElapsedTime(entry.LoadedAt) >= _maxStaleness)
        {
            return false;
        }

        return entry.TryAnswer(sid, jti, out state);
    }

    /// <summary>The last state read for this token, however untrusted, if younger than <paramref name="maxAge"/> (FailureMode=Open).</summary>
    public bool TryGetLastKnown(string sub, string? sid, string? jti, TimeSpan maxAge, out SessionState state)
    {
        state = default;
        return Find(sub) is { } entry && _time.GetElapsedTime(entry.LoadedAt) < maxAge && entry.TryAnswer(sid, jti, out state);
    }

    /// <summary>Call before reading the store; pass the result to <see cref="Complete"/>.</summary>
    public ReadTicket BeginRead(string sub) =>
        new(Volatile.Read(ref _generations[Stripe(sub)]), Volatile.Read(ref _trustEpoch), _time.GetTimestamp());

    /// <summary>Installs what a read returned, unless an invalidation of this user (or a trust change) happened since <see cref="BeginRead"/>.</summary>
    public void Complete(string sub, string? sid, string? jti, SessionState state, ReadTicket ticket)
    {
        if (Capacity == 0 || !_trusted || !IsCurrent(sub, ticket))
        {
            return;
        }

        // Merge the new facts into a young entry; an entry past half its staleness bound is replaced by this read,
        // so a warm user's entry is renewed instead of aging out into a read per request.
        var previous = Find(sub);
        var entry = previous is not null && previous.Matches(state) && previous.TrustEpoch == ticket.TrustEpoch &&
                    _time.GetElapsedTime(previous.LoadedAt) < _maxStaleness / 2
            ? previous.With(sid, state.SessionRevoked, jti, state.TokenRevoked)
            : null;
        entry ??= UserEntry.From(state, sid, jti, ticket.StartedAt, ticket.TrustEpoch);

        _users.Set(sub, entry);

        // An invalidation that ran between the check above and the store must not be undone.
        if (!IsCurrent(sub, ticket))
        {
            Remove(sub);
        }
    }

    /// <summary>Forgets a user (a revocation event, or this instance's own write).</summary>
    public void Invalidate(string sub)
    {
        Interlocked.Increment(ref _generations[Stripe(sub)]);
        Remove(sub);
    }

    /// <summary>Forgets everything (an unreadable event, a resync).</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref _trustEpoch);
        _users.Clear();
    }

    /// <summary>
    /// While the subscription is down, events may be lost: entries stop answering normal reads. Entries read before
    /// the drop stay available to <see cref="TryGetLastKnown"/> (FailureMode=Open) but never become trusted again.
    /// </summary>
    public void SetTrusted(bool trusted)
    {
        Interlocked.Increment(ref _trustEpoch);
        _trusted = trusted;
    }

    private bool IsCurrent(string sub, ReadTicket ticket) =>
        Volatile.Read(ref _generations[Stripe(sub)]) == ticket.Generation && Volatile.Read(ref _trustEpoch) == ticket.TrustEpoch;

    private UserEntry? Find(string sub) => _users.TryGetValue(sub, out var entry) ? entry : null;

    private void Remove(string sub) => _users.Remove(sub);

    private static int Stripe(string sub) => (int)((uint)StringComparer.Ordinal.GetHashCode(sub) % Stripes);

    internal readonly record struct ReadTicket(long Generation, long TrustEpoch, long StartedAt);

    /// <summary>One user's known state: user-wide values plus the sids and jtis already asked about. Immutable.</summary>
    private sealed class UserEntry
    {
        private readonly (string Id, bool Revoked)[] _sessions;
        private readonly (string Id, bool Revoked)[] _tokens;

        private UserEntry(SessionState state, (string, bool)[] sessions, (string, bool)[] tokens, long loadedAt, long trustEpoch)
        {
            Version = state.Version;
            Cutoff = state.Cutoff;
            Active = state.ActiveSession;
            _sessions = sessions;
            _tokens = tokens;
            LoadedAt = loadedAt;
            TrustEpoch = trustEpoch;
        }

        public long Version { get; }
        public long Cutoff { get; }
        public string? Active { get; }
        public long LoadedAt { get; }
        public long TrustEpoch { get; }

        public static UserEntry From(SessionState state, string? sid, string? jti, long loadedAt, long trustEpoch) =>
            new(state, sid is null ? [] : [(sid, state.SessionRevoked)], jti is null ? [] : [(jti, state.TokenRevoked)], loadedAt, trustEpoch);

        public bool Matches(SessionState state) =>
            state.Version == Version && state.Cutoff == Cutoff && string.Equals(state.ActiveSession, Active, StringComparison.Ordinal);

        /// <summary>This entry plus two more facts; null when it would grow past its bound.</summary>
        public UserEntry? With(string? sid, bool sidRevoked, string? jti, bool jtiRevoked)
        {
            var sessions = Add(_sessions, sid, sidRevoked);
            var tokens = Add(_tokens, jti, jtiRevoked);
            if (sessions is null || tokens is null)
            {
                return null;
            }

            return new UserEntry(new SessionState(Version, Cutoff, false, false, Active), sessions, tokens, LoadedAt, TrustEpoch);
        }

        public bool TryAnswer(string? sid, string? jti, out SessionState state)
        {
            state = default;
            var sessionRevoked = false;
            var tokenRevoked = false;
            if ((sid is not null && !TryFind(_sessions, sid, out sessionRevoked)) || (jti is not null && !TryFind(_tokens, jti, out tokenRevoked)))
            {
                return false;
            }

            state = new SessionState(Version, Cutoff, sessionRevoked, tokenRevoked, Active);
            return true;
        }

        private static bool TryFind((string Id, bool Revoked)[] facts, string id, out bool revoked)
        {
            foreach (var fact in facts)
            {
                if (string.Equals(fact.Id, id, StringComparison.Ordinal))
                {
                    revoked = fact.Revoked;
                    return true;
                }
            }

            revoked = false;
            return false;
        }

        private static (string, bool)[]? Add((string Id, bool Revoked)[] facts, string? id, bool revoked)
        {
            if (id is null)
            {
                return facts;
            }

            var index = Array.FindIndex(facts, f => string.Equals(f.Id, id, StringComparison.Ordinal));
            if (index >= 0)
            {
                if (facts[index].Revoked == revoked)
                {
                    return facts;
                }

                // The newer read wins (a write made without an event, e.g. by another service).
                var updated = ((string, bool)[])facts.Clone();
                updated[index] = (id, revoked);
                return updated;
            }

            if (facts.Length >= MaxFactsPerUser)
            {
                return null;
            }

            var copy = new (string, bool)[facts.Length + 1];
            facts.CopyTo(copy, 0);
            copy[^1] = (id, revoked);
            return copy;
        }
    }
}
