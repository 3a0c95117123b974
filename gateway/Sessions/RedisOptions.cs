namespace Gateway.Sessions;

/// <summary>What a request gets when its session state cannot be established.</summary>
public enum FailureMode
{
    /// <summary>Refuse with 503 and <c>Retry-After</c> (reason <c>session_store_unavailable</c>).</summary>
    Closed,

    /// <summary>Judge on the last known state, for at most <c>Gateway:Redis:MaxStaleness</c>; else as Closed.</summary>
    Open,
}

/// <summary>Session store settings, section <c>Gateway:Redis</c>.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Gateway:Redis";

    /// <summary>StackExchange.Redis configuration string. Empty: the in-process store (one instance only).</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and of the pub/sub channel. Default <c>gw:</c>.</summary>
    public string KeyPrefix { get; set; } = "gw:";

    /// <summary>Default <see cref="Sessions.FailureMode"/>; routes may override it. Default Closed.</summary>
    public FailureMode FailureMode { get; set; } = FailureMode.Closed;

    /// <summary>No request waits longer than this for Redis. Default 250 ms.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest a locally cached user state is trusted, even with pub/sub healthy. Default 60 s.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// When the epoch marker is missing (Redis lost its data, or is new), refuse every token issued before that
    /// moment, since its revocations may be gone. Default true.
    /// </summary>
    public bool DataLossCutoff { get; set; } = true;

    /// <summary>How often the epoch marker is checked. Default 5 s.</summary>
    public TimeSpan EpochCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Users whose state is cached locally, at most. Default 100000; 0 disables the local cache.</summary>
    public int LocalCacheSize { get; set; } = 100_000;
}
