namespace Gateway.Sessions;

/// <summary>
/// Section <c>Gateway:Sessions:RateSpike</c>: a token used more than <see cref="Threshold"/> times within
/// <see cref="Window"/> is denylisted (reason <c>rate_spike</c>). Off by default.
/// </summary>
public sealed class RateSpikeOptions
{
    public bool Enabled { get; set; }

    /// <summary>Requests allowed per window. Default 50.</summary>
    public int Threshold { get; set; } = 50;

    /// <summary>Window length. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Tokens tracked at most. Default 100000.</summary>
    public int MaxTrackedTokens { get; set; } = 100_000;
}
