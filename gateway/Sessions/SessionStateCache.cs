using Gateway.Caching;

namespace Gateway.Sessions;

/// <summary>
/// This instance's bounded copy of session state read from the shared store, so a warm user costs no round trip.
/// Kept fresh by <c>gw:revocations</c> events (<see cref="Invalidate"/>); distrusted while the subscription is down
/// (<see cref="SetTrusted"/>); every entry also expires after <c>MaxStaleness</c>. Bounded in count
/// (<c>LocalCacheSize</c> users) and in bytes: an entry holds the user-wide values plus at most
/// <see cref="MaxFactsPerKind"/> facts of each kind, each fact an 8-byte <see cref="FactHash"/> and its value.
/// A read that raced with an invalidation is never installed: see <see cref="BeginRead"/> and <see cref="Complete"/>.
/// </summary>
internal sealed class SessionStateCache
{
    /// <summary>Facts (sessions, tokens, clients) remembered per user and kind; a user with more is re-read.</summary>
    public const int MaxFactsPerKind = 32;

    private const int Stripes = 4096;

    private readonly long[] _generations = new long[Stripes];
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleness;
    private readonly GenerationalMap<UserKey, UserEntry> _users;
    private long _trustEpoch;
    private volatile bool _trusted;

    public SessionStateCache(TimeProvider time, TimeSpan maxStaleness, int capacity)
    {
        _time = time;
        _maxStaleness = maxStaleness;
        Capacity = capacity;
        _users = new GenerationalMap<UserKey, UserEntry>(capacity);
    }

    public int Capacity { get; }

    public bool IsTrusted => _trusted;

    public int Count => _users.Count;

    /// <summary>
    /// A fresh, trusted answer for this token, if every fact it needs is known: from the user's entry, or, for a sid or
    /// jti the entry has not seen, from a complete <paramref name="replica"/> that certainly does not hold it.
    /// </summary>
    public bool TryGet(UserKey user, string? sid, string? jti, string? client, out SessionState state, DenylistReplica? replica = null)
    {
        state = default;
        if (!_trusted || Capacity == 0 || Find(user) is not { } entry || entry.TrustEpoch != Volatile.Read(ref _trustEpoch) ||
            _time.GetElapsedTime(entry.LoadedAt) >= _maxStaleness)
        {
            return false;
        }

        if (entry.TryAnswer(sid, jti, client, out state))
        {
            return true;
        }

        if (replica is not { IsComplete: true } || !entry.TryAnswer(null, null, client, out state))
        {
            return false;
        }

        var sessionRevoked = false;
        var tokenRevoked = false;
        return (sid is null || entry.TryFindSession(sid, out sessionRevoked) || !replica.MayContain(DenylistHash.Session(user, sid))) &&
               (jti is null || entry.TryFindToken(jti, out tokenRevoked) || !replica.MayContain(DenylistHash.Token(user, jti))) &&
               SetFlags(ref state, sessionRevoked, tokenRevoked);
    }

    private static bool SetFlags(ref SessionState state, bool sessionRevoked, bool tokenRevoked)
    {
        state = state with { SessionRevoked = sessionRevoked, TokenRevoked = tokenRevoked };
        return true;
    }

    /// <summary>The last state read for this token, however untrusted, if younger than <paramref name="maxAge"/> (FailureMode=Open).</summary>
    public bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, TimeSpan maxAge, out SessionState state)
    {
        state = default;
        return Find(user) is { } entry && _time.GetElapsedTime(entry.LoadedAt) < maxAge && entry.TryAnswer(sid, jti, client, out state);
    }

    /// <summary>Call before reading the store; pass the result to <see cref="Complete"/>.</summary>
    public ReadTicket BeginRead(UserKey user) =>
        new(Volatile.Read(ref _generations[Stripe(user)]), Volatile.Read(ref _trustEpoch), _time.GetTimestamp());

    /// <summary>Installs what a read returned, unless an invalidation of this user (or a trust change) happened since <see cref="BeginRead"/>.</summary>
    public void Complete(UserKey user, string? sid, string? jti, string? client, SessionState state, ReadTicket ticket)
    {
        if (Capacity == 0 || !_trusted || !IsCurrent(user, ticket))
        {
            return;
        }

        // Merge the new facts into a young entry; an entry past half its staleness bound is replaced by this read,
        // so a warm user's entry is renewed instead of aging out into a read per request.
        var previous = Find(user);
        var entry = previous is not null && previous.Matches(state) && previous.TrustEpoch == ticket.TrustEpoch &&
                    _time.GetElapsedTime(previous.LoadedAt) < _maxStaleness / 2
            ? previous.With(sid, state.SessionRevoked, jti, state.TokenRevoked, client, state.ClientCutoff)
            : null;
        entry ??= UserEntry.From(state, sid, jti, client, ticket.StartedAt, ticket.TrustEpoch);

        _users.Set(user, entry);

        // An invalidation that ran between the check above and the store must not be undone.
        if (!IsCurrent(user, ticket))
        {
            Remove(user);
        }
    }

    /// <summary>Forgets a user (a revocation event, or this instance's own write).</summary>
    public void Invalidate(UserKey user)
    {
        Interlocked.Increment(ref _generations[Stripe(user)]);
        Remove(user);
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

    private bool IsCurrent(UserKey user, ReadTicket ticket) =>
        Volatile.Read(ref _generations[Stripe(user)]) == ticket.Generation && Volatile.Read(ref _trustEpoch) == ticket.TrustEpoch;

    private UserEntry? Find(UserKey user) => _users.TryGetValue(user, out var entry) ? entry : null;

    private void Remove(UserKey user) => _users.Remove(user);

    private static int Stripe(UserKey user) => (int)((uint)user.GetHashCode() % Stripes);

    internal readonly record struct ReadTicket(long Generation, long TrustEpoch, long StartedAt);

    /// <summary>One user's known state: user-wide values plus the sids, jtis and clients already asked about. Immutable.</summary>
    private sealed class UserEntry
    {
        private readonly Fact[] _sessions;
        private readonly Fact[] _tokens;
        private readonly Fact[] _clients;

        private UserEntry(long version, long cutoff, string? active, Fact[] sessions, Fact[] tokens, Fact[] clients, long loadedAt, long trustEpoch)
        {
            Version = version;
            Cutoff = cutoff;
            Active = active;
            _sessions = sessions;
            _tokens = tokens;
            _clients = clients;
            LoadedAt = loadedAt;
            TrustEpoch = trustEpoch;
        }

        public long Version { get; }
        public long Cutoff { get; }
        public string? Active { get; }
        public long LoadedAt { get; }
        public long TrustEpoch { get; }

        public static UserEntry From(SessionState state, string? sid, string? jti, string? client, long loadedAt, long trustEpoch) =>
            new(state.Version, state.Cutoff, state.ActiveSession,
                sid is null ? [] : [new(FactHash.Of(sid), state.SessionRevoked ? 1 : 0)],
                jti is null ? [] : [new(FactHash.Of(jti), state.TokenRevoked ? 1 : 0)],
                client is null ? [] : [new(FactHash.Of(client), state.ClientCutoff)],
                loadedAt, trustEpoch);

        public bool Matches(SessionState state) =>
            state.Version == Version && state.Cutoff == Cutoff && string.Equals(state.ActiveSession, Active, StringComparison.Ordinal);

        /// <summary>This entry plus the facts of one more read; null when it would grow past its bound.</summary>
        public UserEntry? With(string? sid, bool sidRevoked, string? jti, bool jtiRevoked, string? client, long clientCutoff)
        {
            var sessions = Add(_sessions, sid, sidRevoked ? 1 : 0);
            var tokens = Add(_tokens, jti, jtiRevoked ? 1 : 0);
            var clients = Add(_clients, client, clientCutoff);
            if (sessions is null || tokens is null || clients is null)
            {
                return null;
            }

            return new UserEntry(Version, Cutoff, Active, sessions, tokens, clients, LoadedAt, TrustEpoch);
        }

        public bool TryAnswer(string? sid, string? jti, string? client, out SessionState state)
        {
            state = default;
            long sessionRevoked = 0, tokenRevoked = 0, clientCutoff = 0;
            if ((sid is not null && !TryFind(_sessions, sid, out sessionRevoked)) || (jti is not null && !TryFind(_tokens, jti, out tokenRevoked)) ||
                (client is not null && !TryFind(_clients, client, out clientCutoff)))
            {
                return false;
            }

            state = new SessionState(Version, Cutoff, sessionRevoked != 0, tokenRevoked != 0, Active, ClientCutoff: clientCutoff);
            return true;
        }

        public bool TryFindSession(string sid, out bool revoked)
        {
            var found = TryFind(_sessions, sid, out var value);
            revoked = value != 0;
            return found;
        }

        public bool TryFindToken(string jti, out bool revoked)
        {
            var found = TryFind(_tokens, jti, out var value);
            revoked = value != 0;
            return found;
        }

        private static bool TryFind(Fact[] facts, string id, out long value)
        {
            var hash = FactHash.Of(id);
            foreach (var fact in facts)
            {
                if (fact.Hash == hash)
                {
                    value = fact.Value;
                    return true;
                }
            }

            value = 0;
            return false;
        }

        private static Fact[]? Add(Fact[] facts, string? id, long value)
        {
            if (id is null)
            {
                return facts;
            }

            var hash = FactHash.Of(id);
            var index = Array.FindIndex(facts, f => f.Hash == hash);
            if (index >= 0)
            {
                if (facts[index].Value == value)
                {
                    return facts;
                }

                // The newer read wins (a write made without an event, e.g. by another service).
                var updated = (Fact[])facts.Clone();
                updated[index] = new Fact(hash, value);
                return updated;
            }

            if (facts.Length >= MaxFactsPerKind)
            {
                return null;
            }

            var copy = new Fact[facts.Length + 1];
            facts.CopyTo(copy, 0);
            copy[^1] = new Fact(hash, value);
            return copy;
        }
    }

    private readonly record struct Fact(ulong Hash, long Value);
}
