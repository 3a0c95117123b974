namespace Gateway.Proxy;

/// <summary>What reaches the backend, section <c>Gateway:Proxy</c>.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Gateway:Proxy";

    /// <summary>Forward the client's Authorization header. Default true.</summary>
    public bool ForwardAuthorization { get; set; } = true;

    /// <summary>Headers set from the verified token; empty names are not sent. Incoming headers of these names are always stripped.</summary>
    public IdentityHeaderOptions IdentityHeaders { get; set; } = new();
}
