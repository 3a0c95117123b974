using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The <c>x5t#S256</c> of the request's client certificate: the gateway's own TLS connection first, else the
/// configured forwarded header, believed only when the immediate peer is a trusted proxy.
/// </summary>
internal sealed class ClientCertificateSource
{
    private readonly string? _header;
    private readonly TrustedProxies _proxies;

    public ClientCertificateSource(ClientCertificateOptions options, TrustedProxies proxies)
    {
        _header = options.ForwardedHeader;
        _proxies = proxies;
    }

    public bool TryGetThumbprint(HttpContext context, [NotNullWhen(true)] out string? thumbprint)
    {
        if (context.Connection.ClientCertificate is { } certificate)
        {
            thumbprint = ClientCertificateThumbprint.Compute(certificate);
            return true;
        }

        thumbprint = null;
        if (_header is null || !_proxies.IsTrusted(context.Connection.RemoteIpAddress))
        {
            return false;
        }

        var values = context.Request.Headers[_header];
        // Two certificate headers: which one the proxy wrote is unknowable.
        return values.Count == 1 && ClientCertificateThumbprint.TryFromHeader(values[0], out thumbprint);
    }
}
