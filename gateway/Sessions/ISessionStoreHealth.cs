namespace Gateway.Sessions;

/// <summary>Whether the session store can serve checks now (readiness).</summary>
public interface ISessionStoreHealth
{
    ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken);
}
