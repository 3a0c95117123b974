using Gateway.Testing.Attacks;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Gate.ProofOfPossession;

using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class ClientCertificateThumbprintTests
{
    private static readonly X509Certificate2 Client = Certificate("CN=client, O=Example Inc");
    private static readonly X509Certificate2 Issuer = Certificate("CN=issuing-ca");
    private static readonly string Expected = Jose.B64(SHA256.HashData(Client.RawData));

    private static X509Certificate2 Certificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        // The public certificate only, as a proxy would forward it.
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    [Fact]
    public void Compute_GeneratedCertificate_IsBase64UrlSha256OfTheDer()
    {
        Assert.Equal(Expected, ClientCertificateThumbprint.Compute(Client));
        Assert.Equal(43, Expected.Length);
    }

    public static TheoryData<string, string> Headers => new()
    {
        { "RFC 9440 Client-Cert", ":" + Convert.ToBase64String(Client.RawData) + ":" },
        { "nginx $ssl_client_escaped_cert", Uri.EscapeDataString(Pem(Client)) },
        { "plain PEM", Pem(Client) },
        { "PEM with the chain after it", Uri.EscapeDataString(Pem(Client) + Pem(Issuer)) },
        { "PEM folded onto one line", Pem(Client).Replace('\n', ' ') },
        { "Envoy XFCC Cert", "By=spiffe://cluster.local/ns/default/sa/gateway;Hash=" + new string('0', 64) + ";Cert=\"" + Uri.EscapeDataString(Pem(Client)) + "\";Subject=\"CN=client,O=Example\\, Inc.\";URI=" },
        { "Envoy XFCC Hash only", "Hash=" + Convert.ToHexStringLower(SHA256.HashData(Client.RawData)) + ";Subject=\"CN=client\"" },
        { "bare base64 DER", Convert.ToBase64String(Client.RawData) },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public void TryFromHeader_ForwardedFormats_GiveTheCertificatesThumbprint(string format, string value)
    {
        Assert.True(ClientCertificateThumbprint.TryFromHeader(value, out var thumbprint), format);
        Assert.Equal(Expected, thumbprint);
    }

    public static TheoryData<string?> Refused => new()
    {
        null,
        "",
        "   ",
        ":not base64:",
        "::",
        ":" + Convert.ToBase64String([0x30, 0x03, 0x02, 0x01, 0x01, 0x00]) + ":",
        ":" + Convert.ToBase64String([0x04, 0x01, 0x00]) + ":",
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----",
        "-----BEGIN%20CERTIFICATE-----%0A%ZZ",
        "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----",
        "Hash=abc",
        "Cert=\"unterminated",
        "By=a;Hash=" + new string('0', 64) + ",By=b;Hash=" + new string('1', 64),
        ":" + Convert.ToBase64String(new byte[20_000]) + ":",
        "garbage",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryFromHeader_AnythingElse_FalseWithoutThrowing(string? value)
    {
        Assert.False(ClientCertificateThumbprint.TryFromHeader(value, out var thumbprint));
        Assert.Null(thumbprint);
    }

    [Fact]
    public void TryGetThumbprint_TlsCertificate_WinsOverAnyHeader()
    {
        var source = new ClientCertificateSource(new ClientCertificateOptions { ForwardedHeader = "X-SSL-Client-Cert" }, TrustedProxies.Parse(["10.0.0.0/8"]));
        var context = Context("10.0.0.1", Pem(Issuer));
        context.Connection.ClientCertificate = Client;

        Assert.True(source.TryGetThumbprint(context, out var thumbprint));
        Assert.Equal(Expected, thumbprint);
    }

    [Fact]
    public void TryGetThumbprint_HeaderFromATrustedProxy_Read()
    {
        var source = new ClientCertificateSource(new ClientCertificateOptions { ForwardedHeader = "X-SSL-Client-Cert" }, TrustedProxies.Parse(["10.0.0.0/8"]));

        Assert.True(source.TryGetThumbprint(Context("10.1.2.3", Uri.EscapeDataString(Pem(Client))), out var thumbprint));
        Assert.Equal(Expected, thumbprint);
    }

    [Fact]
    public void TryGetThumbprint_HeaderFromAnUntrustedPeer_Ignored()
    {
        var source = new ClientCertificateSource(new ClientCertificateOptions { ForwardedHeader = "X-SSL-Client-Cert" }, TrustedProxies.Parse(["10.0.0.0/8"]));

        Assert.False(source.TryGetThumbprint(Context("192.0.2.7", Uri.EscapeDataString(Pem(Client))), out var thumbprint));
        Assert.Null(thumbprint);
    }

    [Fact]
    public void TryGetThumbprint_HeaderNotConfigured_Ignored()
    {
        var source = new ClientCertificateSource(new ClientCertificateOptions(), TrustedProxies.Parse(["10.0.0.0/8"]));

        Assert.False(source.TryGetThumbprint(Context("10.1.2.3", Uri.EscapeDataString(Pem(Client))), out _));
    }

    [Fact]
    public void TryGetThumbprint_TwoHeaderValues_Ignored()
    {
        var source = new ClientCertificateSource(new ClientCertificateOptions { ForwardedHeader = "X-SSL-Client-Cert" }, TrustedProxies.Parse(["10.0.0.0/8"]));
        var context = Context("10.1.2.3", Uri.EscapeDataString(Pem(Client)));
        context.Request.Headers.Append("X-SSL-Client-Cert", Uri.EscapeDataString(Pem(Issuer)));

        Assert.False(source.TryGetThumbprint(context, out _));
    }

    private static DefaultHttpContext Context(string peer, string header)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Headers["X-SSL-Client-Cert"] = header;
        return context;
    }
}
