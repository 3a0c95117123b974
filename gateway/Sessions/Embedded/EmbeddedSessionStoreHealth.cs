namespace Gateway.Sessions.Embedded;

internal sealed class EmbeddedSessionStoreHealth : ISessionStoreHealth
{
    public ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken) =>
        new(new SessionStoreHealthReport(EmbeddedSessionStore.KindName, true, "embedded store (single instance)"));
}
