namespace Gateway.Sessions;

/// <summary>Whether the session store can serve checks now (readiness).</summary>
public interface ISessionStoreHealth
{
    ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The store's kind, whether it is ready, and a short human-readable detail.</summary>
public sealed record SessionStoreHealthReport(string Kind, bool Ready, string Detail);

internal sealed class InProcessSessionStoreHealth(InProcessSessionStore store) : ISessionStoreHealth
{
    public ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken) =>
        new(new SessionStoreHealthReport("in-process", true, store.Journal is { } journal
            ? $"embedded store (single instance), journal {journal.FilePath}"
            : "in-process store (single instance, not persisted)"));
}
