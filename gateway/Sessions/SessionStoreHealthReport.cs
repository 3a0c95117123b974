namespace Gateway.Sessions;

/// <summary>The store's kind, whether it is ready, and a short human-readable detail.</summary>
public sealed record SessionStoreHealthReport(string Kind, bool Ready, string Detail);
