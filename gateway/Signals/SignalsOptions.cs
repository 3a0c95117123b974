namespace Gateway.Signals;

/// <summary>The Shared Signals receiver (OpenID SSF 1.0, CAEP, RISC), section <c>Gateway:Signals</c>.</summary>
public sealed class SignalsOptions
{
    public const string SectionName = "Gateway:Signals";

    /// <summary>Transmitters whose Security Event Tokens are accepted. Empty (default): the receiver is off.</summary>
    public List<TransmitterOptions> Transmitters { get; set; } = [];

    /// <summary>How old a SET's <c>iat</c> may be (plus the clock skew). Default 1 hour; a transmitter retrying longer gets <c>invalid_request</c>.</summary>
    public TimeSpan MaxSetAge { get; set; } = TimeSpan.FromHours(1);
}
