namespace Gateway.Sessions.Embedded;

internal sealed class EmbeddedSessionStoreHealth(EmbeddedSessionStore store) : ISessionStoreHealth
{
    public ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken) =>
        new(new SessionStoreHealthReport(EmbeddedSessionStore.KindName, true, store.Journal is { } journal
            ? $"embedded store (single instance), journal {journal.FilePath}"
            : "embedded store (single instance, not persisted)"));
}
