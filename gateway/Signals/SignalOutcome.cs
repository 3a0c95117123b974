namespace Gateway.Signals;

/// <summary>What became of one SET: accepted (applied, ignored or a duplicate), refused (RFC 8935 error), or to be retried.</summary>
internal sealed record SignalOutcome(SignalStatus Status, string? Error = null, string? Description = null)
{
    public static readonly SignalOutcome Accepted = new(SignalStatus.Accepted);

    public static readonly SignalOutcome Unavailable = new(SignalStatus.Unavailable);
}
