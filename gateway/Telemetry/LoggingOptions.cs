namespace Gateway.Telemetry;

/// <summary>Console log shape and the refusal summary, section <c>Gateway:Logging</c>.</summary>
public sealed class LoggingOptions
{
    public const string SectionName = "Gateway:Logging";

    public const string SimpleFormat = "simple";
    public const string JsonFormat = "json";

    /// <summary>
    /// Console log format: <c>simple</c> (one human-readable line per entry) or <c>json</c> (one JSON object per line,
    /// for log collectors). Default <c>simple</c>.
    /// </summary>
    public string Format { get; set; } = SimpleFormat;

    /// <summary>
    /// How often refusals are summarised in one Warning line (counts by reason); nothing is written for an interval
    /// without refusals. Per-request refusals are logged at Debug. Default 1 minute; at least 1 second.
    /// </summary>
    public TimeSpan RefusalSummaryInterval { get; set; } = TimeSpan.FromMinutes(1);
}
