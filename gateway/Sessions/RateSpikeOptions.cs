namespace Gateway.Sessions;

/// <summary>
/// Section <c>Gateway:Sessions:RateSpike</c>: a token used more than <see cref="Threshold"/> times within
/// <see cref="Window"/> is denylisted (reason <c>rate_spike</c>). Off by default. With Redis the count is over every
/// instance (merged every <see cref="FlushInterval"/>); with the embedded store, over its one instance.
/// </summary>
public sealed class RateSpikeOptions
{
    public bool Enabled { get; set; }

    /// <summary>Requests allowed per window. Default 50.</summary>
    public int Threshold { get; set; } = 50;

    /// <summary>Window length. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// With Redis: how often each instance merges its counts into Redis, where a token's count is the sum over every
    /// instance. Default 250 ms. The embedded store counts on its one instance only.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Tokens tracked at most (and, with Redis, tokens waiting for the next merge). Default 100000.</summary>
    public int MaxTrackedTokens { get; set; } = 100_000;
}
