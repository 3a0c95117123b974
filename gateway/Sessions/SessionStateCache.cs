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
    /// A fresh, trusted answer for this token, if every fact it needs is known: from the user's entry, or, for a jti the
    /// entry has not seen, from a complete <paramref name="replica"/> that certainly does not hold it.
    /// </summary>
    public bool TryGet(UserKey user, string? sid, string? jti, string? client, out SessionState state, DenylistReplica? replica = null)
    {
        state = default;
        if (!_trusted || Capacity == 0 || Find(user) is not { } entry || entry.Stale || entry.TrustEpoch != Volatile.Read(ref _trustEpoch) ||
            _time.GetElapsedTime(entry.LoadedAt) >= _maxStaleness)
        {
            return false;
        }

        if (entry.TryAnswer(sid, jti, client, out state))
        {
            return true;
        }

        // The entry knows the user, the session and the client, only the jti is new (a refreshed token of a known
        // session): a complete replica that certainly does not hold it answers for it. A new sid is read from the store
        // (its newest iat and lead matter to the session policies).
        if (replica is not { IsComplete: true } || jti is null || !entry.TryAnswer(sid, null, client, out state) ||
            replica.MayContain(DenylistHash.Token(user, jti)))
        {
            return false;
        }

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
        var entry = previous is not null && !previous.Stale && previous.Matches(state) && previous.TrustEpoch == ticket.TrustEpoch &&
                    _time.GetElapsedTime(previous.LoadedAt) < _maxStaleness / 2
            ? previous.With(sid, state, jti, state.TokenRevoked, client, state.ClientCutoff)
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

    /// <summary>
    /// Sends the next check of this user to the store without forgetting what is known (a session's newest token or a
    /// single-session leader moved: nothing was revoked). The entry stops answering normal reads but still serves
    /// <see cref="TryGetLastKnown"/>, so a busy session's inventory writes never empty the FailureMode=Open fallback.
    /// </summary>
    public void Refresh(UserKey user)
    {
        Interlocked.Increment(ref _generations[Stripe(user)]);
        if (Find(user) is { Stale: false } entry)
        {
            _users.Set(user, entry.AsStale());
        }
    }

    /// <summary>
    /// A token of session <paramref name="sid"/> issued at <paramref name="iat"/> was recorded (nothing was revoked): the
    /// entry takes it into that session's newest and first iat, merged as the store merges them (max, min), and keeps
    /// answering, so a refreshed token costs no read on any instance. An entry without that session is left as it is
    /// (the session's first token reads the store anyway); a read in flight is discarded, as it may predate the write.
    /// </summary>
    public void SessionSeen(UserKey user, string sid, long iat)
    {
        Interlocked.Increment(ref _generations[Stripe(user)]);
        var hash = FactHash.Of(sid);

        // Compare-and-swap: an entry invalidated meanwhile is gone (nothing to revive), one replaced meanwhile (another
        // sighting, e.g. this instance's own write and then its event, or a fresh read) is merged into again.
        while (Find(user) is { Stale: false } entry && entry.WithSessionSeen(hash, iat) is { } updated && !ReferenceEquals(updated, entry))
        {
            if (_users.TryUpdate(user, updated, entry))
            {
                return;
            }
        }
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
        private readonly SessionFact[] _sessions;
        private readonly Fact[] _tokens;
        private readonly Fact[] _clients;

        private UserEntry(long version, long cutoff, string? active, SessionLead? newestLead, SessionLead? firstLead, SessionFact[] sessions, Fact[] tokens, Fact[] clients,
            long loadedAt, long trustEpoch, bool stale = false)
        {
            Stale = stale;
            Version = version;
            Cutoff = cutoff;
            Active = active;
            NewestLead = newestLead;
            FirstLead = firstLead;
            _sessions = sessions;
            _tokens = tokens;
            _clients = clients;
            LoadedAt = loadedAt;
            TrustEpoch = trustEpoch;
        }

        public long Version { get; }
        public long Cutoff { get; }
        public string? Active { get; }
        public SessionLead? NewestLead { get; }
        public SessionLead? FirstLead { get; }
        public long LoadedAt { get; }
        public long TrustEpoch { get; }

        /// <summary>Kept for last-known answers only (<see cref="Refresh"/>).</summary>
        public bool Stale { get; }

        public UserEntry AsStale() => new(Version, Cutoff, Active, NewestLead, FirstLead, _sessions, _tokens, _clients, LoadedAt, TrustEpoch, stale: true);

        public static UserEntry From(SessionState state, string? sid, string? jti, string? client, long loadedAt, long trustEpoch) =>
            new(state.Version, state.Cutoff, state.ActiveSession, state.NewestLead, state.FirstLead,
                sid is null ? [] : [SessionFactOf(FactHash.Of(sid), state)],
                jti is null ? [] : [new(FactHash.Of(jti), state.TokenRevoked ? 1 : 0)],
                client is null ? [] : [new(FactHash.Of(client), state.ClientCutoff)],
                loadedAt, trustEpoch);

        public bool Matches(SessionState state) =>
            state.Version == Version && state.Cutoff == Cutoff && string.Equals(state.ActiveSession, Active, StringComparison.Ordinal) &&
            state.NewestLead == NewestLead && state.FirstLead == FirstLead;

        // A session's fact: revoked or not, plus the newest and first iat the inventory recorded for it.
        private static SessionFact SessionFactOf(ulong hash, SessionState state) => new(hash, state.SessionRevoked ? 1 : 0, state.SessionNewestIat, state.SessionFirstIat);

        /// <summary>This entry plus the facts of one more read; null when it would grow past its bound.</summary>
        public UserEntry? With(string? sid, SessionState state, string? jti, bool jtiRevoked, string? client, long clientCutoff)
        {
            var sessions = sid is null ? _sessions : Add(_sessions, SessionFactOf(FactHash.Of(sid), state));
            var tokens = jti is null ? _tokens : Add(_tokens, new Fact(FactHash.Of(jti), jtiRevoked ? 1 : 0));
            var clients = client is null ? _clients : Add(_clients, new Fact(FactHash.Of(client), clientCutoff));
            if (sessions is null || tokens is null || clients is null)
            {
                return null;
            }

            return new UserEntry(Version, Cutoff, Active, NewestLead, FirstLead, sessions, tokens, clients, LoadedAt, TrustEpoch);
        }

        /// <summary>This entry with one session's iats moved by a sighting; null when it does not hold that session.</summary>
        public UserEntry? WithSessionSeen(ulong sidHash, long iat)
        {
            var index = Array.FindIndex(_sessions, f => f.Hash == sidHash);
            if (index < 0)
            {
                return null;
            }

            var fact = _sessions[index];
            var seen = fact with { NewestIat = Math.Max(fact.NewestIat, iat), FirstIat = fact.FirstIat == 0 ? iat : Math.Min(fact.FirstIat, iat) };
            if (seen == fact)
            {
                return this;
            }

            var sessions = (SessionFact[])_sessions.Clone();
            sessions[index] = seen;
            return new UserEntry(Version, Cutoff, Active, NewestLead, FirstLead, sessions, _tokens, _clients, LoadedAt, TrustEpoch);
        }

        public bool TryAnswer(string? sid, string? jti, string? client, out SessionState state)
        {
            state = default;
            SessionFact session = default;
            Fact token = default, clientFact = default;
            if ((sid is not null && !TryFind(_sessions, sid, out session)) || (jti is not null && !TryFind(_tokens, jti, out token)) ||
                (client is not null && !TryFind(_clients, client, out clientFact)))
            {
                return false;
            }

            state = new SessionState(Version, Cutoff, session.Value != 0, token.Value != 0, Active, ClientCutoff: clientFact.Value,
                SessionNewestIat: session.NewestIat, SessionFirstIat: session.FirstIat, NewestLead: NewestLead, FirstLead: FirstLead);
            return true;
        }

        private static bool TryFind<T>(T[] facts, string id, out T found)
            where T : struct, IFact
        {
            var hash = FactHash.Of(id);
            foreach (var fact in facts)
            {
                if (fact.Hash == hash)
                {
                    found = fact;
                    return true;
                }
            }

            found = default;
            return false;
        }

        private static T[]? Add<T>(T[] facts, T fact)
            where T : struct, IFact, IEquatable<T>
        {
            var hash = fact.Hash;
            var index = Array.FindIndex(facts, f => f.Hash == hash);
            if (index >= 0)
            {
                if (facts[index].Equals(fact))
                {
                    return facts;
                }

                // The newer read wins (a write made without an event, e.g. by another service).
                var updated = (T[])facts.Clone();
                updated[index] = fact;
                return updated;
            }

            if (facts.Length >= MaxFactsPerKind)
            {
                return null;
            }

            var copy = new T[facts.Length + 1];
            facts.CopyTo(copy, 0);
            copy[^1] = fact;
            return copy;
        }
    }

    private interface IFact
    {
        ulong Hash { get; }
    }

    // 16 bytes: a token's revoked flag or a client's cut-off.
    private readonly record struct Fact(ulong Hash, long Value) : IFact;

    // 32 bytes: a session's revoked flag plus the newest and first iat the inventory recorded for it.
    private readonly record struct SessionFact(ulong Hash, long Value, long NewestIat, long FirstIat) : IFact;
}
