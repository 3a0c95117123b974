namespace Gateway.Gate.ProofOfPossession;

/// <summary>Certificate-bound tokens (RFC 8705), section <c>Gateway:ClientCertificates</c>.</summary>
public sealed class ClientCertificateOptions
{
    public const string SectionName = "Gateway:ClientCertificates";

    /// <summary>
    /// The header a TLS-terminating proxy puts the client certificate in (<c>X-Forwarded-Client-Cert</c>,
    /// <c>X-SSL-Client-Cert</c>, <c>Client-Cert</c>), read only from <c>Gateway:ForwardedHeaders:TrustedProxies</c>.
    /// Null (the default): only a certificate of the gateway's own TLS connection counts.
    /// </summary>
    public string? ForwardedHeader { get; set; }

    /// <summary>
    /// The public https listeners (<c>Urls</c>) ask TLS clients for a certificate (optional; any issuer, the token's
    /// <c>cnf.x5t#S256</c> is what binds it). Default false: no certificate is requested.
    /// </summary>
    public bool RequestOnTls { get; set; }
}
