namespace Gateway.Sessions.Redis;

/// <summary>Session store settings, section <c>Gateway:Redis</c>.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Gateway:Redis";

    /// <summary>StackExchange.Redis configuration string. Empty: the embedded store (one instance only).</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and of the pub/sub channel. Default <c>gw:</c>.</summary>
    public string KeyPrefix { get; set; } = "gw:";

    /// <summary>No request waits longer than this for Redis. Default 250 ms.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// When the epoch marker is missing (Redis lost its data, or is new), refuse every token issued before that
    /// moment, since its revocations may be gone. Default true.
    /// </summary>
    public bool DataLossCutoff { get; set; } = true;

    /// <summary>How often the epoch marker is checked. Default 5 s.</summary>
    public TimeSpan EpochCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
