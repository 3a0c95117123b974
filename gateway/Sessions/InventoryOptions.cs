namespace Gateway.Sessions;

/// <summary>The per-user inventory of sessions the gateway has seen, section <c>Gateway:Sessions:Inventory</c>.</summary>
public sealed class InventoryOptions
{
    /// <summary>Record sessions at all. Default true. The policies <c>NewestTokenWins</c> and <c>SingleSessionPolicy</c> need it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>First/last seen are kept to this resolution; a session is written at most once per period (or when a newer token appears). Default 1 minute.</summary>
    public TimeSpan Resolution { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sessions kept per user; the least recently seen go first. Default 20.</summary>
    public int MaxSessionsPerUser { get; set; } = 20;

    /// <summary>Sessions kept in total by the embedded store (Redis: bounded per user and by TTL). Default 200000.</summary>
    public int MaxSessions { get; set; } = 200_000;

    /// <summary>(user, session) pairs whose last write this instance remembers, to skip writes within one period. Default 100000.</summary>
    public int MaxTracked { get; set; } = 100_000;

    /// <summary>Writes waiting to reach the store; beyond it a sighting is dropped (and counted), never waited for. Default 10000.</summary>
    public int QueueSize { get; set; } = 10_000;

    /// <summary>Record a coarse user-agent hint (browser family and OS). Default true.</summary>
    public bool UserAgentHint { get; set; } = true;

    /// <summary>Record an address hint (IPv4 /24, IPv6 /48). Default true.</summary>
    public bool AddressHint { get; set; } = true;
}
