namespace Gateway.Gate.ProofOfPossession;

/// <summary>Which peers' forwarding headers are believed, section <c>Gateway:ForwardedHeaders</c>.</summary>
public sealed class ForwardedHeadersTrustOptions
{
    public const string SectionName = "Gateway:ForwardedHeaders";

    /// <summary>
    /// Addresses (<c>10.0.0.5</c>, <c>::1</c>) and CIDR networks (<c>10.0.0.0/8</c>) of the proxies in front of the
    /// gateway. Empty (the default): <c>Forwarded</c>, <c>X-Forwarded-*</c> and forwarded client certificates are ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
