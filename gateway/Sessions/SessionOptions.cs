namespace Gateway.Sessions;

/// <summary>
/// Session-state settings, section <c>Gateway:Sessions</c>. <see cref="FailureMode"/>, <see cref="MaxStaleness"/>
/// and <see cref="LocalCacheSize"/> are also read from their first home, <c>Gateway:Redis</c>; the
/// <c>Gateway:Sessions</c> value wins when both are set.
/// </summary>
public sealed class SessionOptions
{
    public const string SectionName = "Gateway:Sessions";

    /// <summary>Where the three store-independent keys used to live, still accepted.</summary>
    public const string LegacySectionName = "Gateway:Redis";

    /// <summary>How long a revoked <c>sid</c> stays denylisted when the call gives no <c>exp</c>. Default 30 days.</summary>
    public TimeSpan MaxSessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Default <see cref="Sessions.FailureMode"/>; routes may override it with metadata <c>FailureMode</c>. Default Closed.</summary>
    public FailureMode FailureMode { get; set; } = FailureMode.Closed;

    /// <summary>Longest a locally cached user state is trusted, even with pub/sub healthy. Default 60 s.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Users whose state is cached locally, at most. Default 100000; 0 disables the local cache.</summary>
    public int LocalCacheSize { get; set; } = 100_000;

    /// <summary>
    /// Denylisted sids and jtis each instance holds as a replica of the shared store's (8-byte hashes), so a new token
    /// of a warm user needs no round trip. Default 2,000,000 (about 50 MB at most: 12-byte slots, at least 3/8 full); 0 turns the replica off; a store
    /// holding more makes the replica stand aside (every new id is then read from the store).
    /// </summary>
    public int DenylistReplicaSize { get; set; } = 2_000_000;

    /// <summary>How often the replica is reconciled with the store's index (and the index trimmed). Default 5 minutes.</summary>
    public TimeSpan DenylistReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>NewestTokenWins</c>: a token of a session issued more than this before the newest token seen of that session
    /// is refused (<c>token_replaced</c>). Default 30 s: a client's requests already in flight when it refreshes pass.
    /// </summary>
    public TimeSpan TokenReplacedGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>SingleSessionPolicy=FirstLogin</c>: the leading session frees when not seen for this long. Default 30 minutes.
    /// Renewed at the inventory's resolution, so effective to within <c>Inventory:Resolution</c>.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The per-user inventory of sessions seen, section <c>Gateway:Sessions:Inventory</c>.</summary>
    public InventoryOptions Inventory { get; set; } = new();

    /// <summary>Per-token rate-spike detection.</summary>
    public RateSpikeOptions RateSpike { get; set; } = new();
}
