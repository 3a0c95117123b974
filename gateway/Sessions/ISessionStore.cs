namespace Gateway.Sessions;

/// <summary>
/// Where session state lives: Redis (shared by every instance) or in process (one instance). Every call of one
/// user touches only that user's keys, so one round trip answers a check. Times are Unix seconds.
/// Implementations throw <see cref="SessionStoreUnavailableException"/> when the state cannot be established.
/// </summary>
public interface ISessionStore
{
    /// <summary>A short name for logs and health: <c>redis</c> or <c>in-process</c>.</summary>
    string Kind { get; }

    /// <summary>Everything a check needs about one token of one user, in one round trip.</summary>
    ValueTask<SessionState> ReadAsync(string sub, string? sid, string? jti, CancellationToken cancellationToken);

    /// <summary>Counts one use of a token and returns the count so far (the counter lives until <paramref name="exp"/>).</summary>
    ValueTask<long> IncrementUsesAsync(string sub, string jti, long exp, CancellationToken cancellationToken);

    /// <summary>Denylists one token until <paramref name="exp"/>, recording why.</summary>
    Task RevokeTokenAsync(string sub, string jti, long exp, string why, CancellationToken cancellationToken);

    /// <summary>Denylists one session until <paramref name="exp"/>.</summary>
    Task RevokeSessionAsync(string sub, string sid, long exp, CancellationToken cancellationToken);

    /// <summary>Bumps the user's version and sets the cut-off; returns the new version.</summary>
    Task<long> RevokeUserAsync(string sub, long cutoff, CancellationToken cancellationToken);

    /// <summary>Records the user's single active session (kept for <paramref name="ttl"/>).</summary>
    Task ActivateSessionAsync(string sub, string sid, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The user's state for the admin API.</summary>
    Task<UserState> GetUserAsync(string sub, CancellationToken cancellationToken);

    /// <summary>Records a one-time id (a logout token's jti) until <paramref name="exp"/>; false if it was seen before.</summary>
    Task<bool> TryMarkOnceAsync(string sub, string id, long exp, CancellationToken cancellationToken);
}

/// <summary>The session state that judges one token.</summary>
/// <param name="Version">The user's version (0 when never bumped).</param>
/// <param name="Cutoff">The user's cut-off second (0 when none): tokens without <c>ver</c> issued at or before it are dead.</param>
/// <param name="SessionRevoked">The token's <c>sid</c> is denylisted.</param>
/// <param name="TokenRevoked">The token's <c>jti</c> is denylisted.</param>
/// <param name="ActiveSession">The user's single active session, if one was activated.</param>
/// <param name="GlobalCutoff">Set after the store lost its data: every token issued before this second is dead.</param>
public readonly record struct SessionState(long Version, long Cutoff, bool SessionRevoked, bool TokenRevoked, string? ActiveSession, long GlobalCutoff = 0);

/// <summary>A user's state as the admin API shows it.</summary>
public sealed record UserState(string Sub, long Version, long? Cutoff, string? ActiveSession);

/// <summary>The session store could not be reached or did not answer in time.</summary>
public sealed class SessionStoreUnavailableException : Exception
{
    public SessionStoreUnavailableException()
    {
    }

    public SessionStoreUnavailableException(string message)
        : base(message)
    {
    }

    public SessionStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
