using Gateway.Sessions;

namespace Gateway.Tests.Sessions;

/// <summary>
/// A session store whose reads do what the test says: answer at once, answer later, fail at once or fail later; and
/// whose last-known state is what the test put there. Nothing else is called by the code under test.
/// </summary>
public sealed class ScriptedReadStore : ISessionStore
{
    public enum Read
    {
        Completed,
        Pending,
        ThrowsAtOnce,
        FaultsLater,
    }

    public Read Next { get; set; }

    public SessionState Current { get; set; }

    public SessionState? LastKnown { get; set; }

    public TaskCompletionSource<SessionState> Later { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Kind => "scripted";

    public ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken) => Next switch
    {
        Read.Completed => new(Current),
        Read.Pending => new(Later.Task),
        Read.ThrowsAtOnce => throw new SessionStoreUnavailableException("down"),
        _ => new(Task.FromException<SessionState>(new SessionStoreUnavailableException("down"))),
    };

    public bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, out SessionState state)
    {
        state = LastKnown.GetValueOrDefault();
        return LastKnown.HasValue;
    }

    public ValueTask<long> IncrementUsesAsync(UserKey user, string route, string jti, long exp, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> TryMarkOnceAsync(UserKey user, string id, long exp, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(UserKey user, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<SessionLead> ClaimLeadAsync(UserKey user, LeadKind kind, SessionLead candidate, TimeSpan ttl, CancellationToken cancellationToken) => throw new NotSupportedException();
}
