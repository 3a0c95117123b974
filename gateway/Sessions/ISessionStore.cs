namespace Gateway.Sessions;

/// <summary>
/// Where session state lives: Redis (shared by every instance) or the embedded store (one instance). Every call
/// touches one user's keys only, so one round trip answers a check. Times are Unix seconds. Implementations throw
/// <see cref="SessionStoreUnavailableException"/> when the state cannot be established.
/// </summary>
public interface ISessionStore
{
    /// <summary>A short name for logs and health: <c>redis</c> or <c>embedded</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Everything a check needs about one token, in one round trip. <paramref name="client"/> is given for tokens
    /// without a <c>sid</c>: a back-channel logout of that client reaches them through a per-client cut-off.
    /// </summary>
    ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken);

    /// <summary>Counts one use of a token on one route and returns that route's count so far (kept until <paramref name="exp"/>).</summary>
    ValueTask<long> IncrementUsesAsync(UserKey user, string route, string jti, long exp, CancellationToken cancellationToken);

    /// <summary>Denylists one token until <paramref name="exp"/>, recording why.</summary>
    Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken);

    /// <summary>Denylists one session until <paramref name="exp"/>.</summary>
    Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken);

    /// <summary>Bumps the user's version and moves the cut-off to <paramref name="cutoff"/>; returns the new version.</summary>
    Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken);

    /// <summary>
    /// Tokens of this user and client that carry no <c>sid</c> and were issued at or before <paramref name="cutoff"/>
    /// die (back-channel logout of a session whose access tokens do not name it). Kept until <paramref name="until"/>.
    /// </summary>
    Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken);

    /// <summary>Records the user's single active session (kept for <paramref name="ttl"/>).</summary>
    Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The user's state for the admin API.</summary>
    Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken);

    /// <summary>Records a one-time id (a logout token's jti) until <paramref name="exp"/>; false if it was seen before.</summary>
    Task<bool> TryMarkOnceAsync(UserKey user, string id, long exp, CancellationToken cancellationToken);

    /// <summary>
    /// The session inventory: records that a session was seen (first/last seen, newest and first <c>iat</c>, client and
    /// hints), keeps at most <c>Inventory:MaxSessionsPerUser</c> sessions per user (the least recently seen go), all
    /// expiring <c>MaxSessionLifetime</c> after they were last seen. Renews the <see cref="LeadKind.FirstLogin"/> lease of
    /// this session, if it holds it, for <paramref name="idleTimeout"/>. Returns true when the session's newest or
    /// first <c>iat</c> changed (what <c>NewestTokenWins</c> and the single-session policies judge by), so cached state must be dropped.
    /// </summary>
    Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken);

    /// <summary>The user's inventory, most recently seen first.</summary>
    Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(UserKey user, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the lead of a single-session policy for <paramref name="candidate"/>: under
    /// <see cref="LeadKind.NewestLogin"/> it replaces a lead that logged in earlier; under <see cref="LeadKind.FirstLogin"/>
    /// it takes a free lease only. Atomic; returns the lead after the call (kept for <paramref name="ttl"/>).
    /// </summary>
    Task<SessionLead> ClaimLeadAsync(UserKey user, LeadKind kind, SessionLead candidate, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// The last state read for this token, however old, when the store is unreachable (FailureMode=Open); false when
    /// none is known or the store keeps no copy.
    /// </summary>
    bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, out SessionState state);
}
