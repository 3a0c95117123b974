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

/// <summary>Section <c>Gateway:Proxy:IdentityHeaders</c>.</summary>
public sealed class IdentityHeaderOptions
{
    /// <summary>Header for <c>sub</c>. Default <c>X-Auth-Subject</c>.</summary>
    public string? Subject { get; set; } = "X-Auth-Subject";

    /// <summary>Header for <c>sid</c>. Default <c>X-Auth-Session</c>.</summary>
    public string? Session { get; set; } = "X-Auth-Session";

    /// <summary>Header for <c>jti</c>. Default none.</summary>
    public string? TokenId { get; set; }

    /// <summary>Header for <c>iss</c>. Default none.</summary>
    public string? Issuer { get; set; }
}
