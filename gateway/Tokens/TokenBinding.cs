namespace Gateway.Tokens;

/// <summary>A token's <c>cnf</c> confirmation: the key or certificate the presenter must prove it holds.</summary>
/// <param name="JwkThumbprint"><c>cnf.jkt</c>: RFC 7638 thumbprint of the DPoP key (RFC 9449 §6).</param>
/// <param name="CertificateThumbprint"><c>cnf.x5t#S256</c>: SHA-256 of the client certificate (RFC 8705 §3.1).</param>
public sealed record TokenBinding(string? JwkThumbprint, string? CertificateThumbprint);
