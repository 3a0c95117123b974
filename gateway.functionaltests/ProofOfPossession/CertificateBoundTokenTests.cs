using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.FunctionalTests.ProofOfPossession;

/// <summary>
/// Certificate-bound tokens (RFC 8705, <c>cnf.x5t#S256</c>) through a real gateway: on its own HTTPS listener with a TLS
/// client certificate, and behind a trusted TLS-terminating proxy that forwards the certificate in <c>Client-Cert</c>.
/// </summary>
public sealed class CertificateBoundTokenTests(DpopGateway fixture) : IClassFixture<DpopGateway>
{
    private const string Path = "/api/orders";

    [Fact]
    public async Task ForwardedCertificate_FromATrustedProxy_ThatMatches_Passes_AndAnotherIsRefused()
    {
        using var mine = SelfSigned("CN=client-a");
        using var other = SelfSigned("CN=client-b");
        var token = BoundToken(mine);

        using var ok = await fixture.Gateway.GetAsync(Path, token, Forward(mine));
        using var wrong = await fixture.Gateway.GetAsync(Path, token, Forward(other));
        using var none = await fixture.Gateway.GetAsync(Path, token);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Refusals.AssertInvalidTokenAsync(wrong, "certificate_mismatch");
        await Refusals.AssertInvalidTokenAsync(none, "certificate_mismatch");
    }

    [Fact]
    public async Task ForwardedCertificate_FromAnUntrustedPeer_IsIgnored()
    {
        using var mine = SelfSigned("CN=client-a");
        var config = GatewayConfig.Standard(fixture.Jwks.Url, fixture.Backend.Url)
            .Set("Gateway:ForwardedHeaders:TrustedProxies", new JsonArray("10.9.9.9"))
            .Set("Gateway:ClientCertificates:ForwardedHeader", DpopGateway.CertificateHeader);
        await using var gateway = await GatewayHost.StartAsync(config);

        using var response = await gateway.GetAsync(Path, BoundToken(mine), Forward(mine));

        await Refusals.AssertInvalidTokenAsync(response, "certificate_mismatch");
    }

    [Fact]
    public async Task TlsClientCertificate_ThatMatches_Passes_AndAnotherIsRefused()
    {
        using var server = SelfSigned("CN=127.0.0.1", server: true);
        using var mine = SelfSigned("CN=client-a");
        using var other = SelfSigned("CN=client-b");
        var config = GatewayConfig.Standard(fixture.Jwks.Url, fixture.Backend.Url)
            .Set("Urls", "https://127.0.0.1:0")
            .Set("Gateway:ClientCertificates:RequestOnTls", true);
        await using var gateway = await GatewayHost.StartAsync(config, new GatewayHostOptions
        {
            Configure = builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = server)),
        });
        var token = BoundToken(mine);

        using var ok = await GetOverTlsAsync(gateway, server, token, mine);
        using var wrong = await GetOverTlsAsync(gateway, server, token, other);
        using var none = await GetOverTlsAsync(gateway, server, token, null);
        using var plain = await GetOverTlsAsync(gateway, server, fixture.Token(), other);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Refusals.AssertInvalidTokenAsync(wrong, "certificate_mismatch");
        await Refusals.AssertInvalidTokenAsync(none, "certificate_mismatch");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    private string BoundToken(X509Certificate2 certificate) =>
        TokenFactory.Mint(fixture.Es256, claims: new Dictionary<string, object?>
        {
            ["cnf"] = new JsonObject { ["x5t#S256"] = Base64UrlEncoder.Encode(SHA256.HashData(certificate.RawData)) },
        });

    // RFC 9440 Client-Cert: the DER certificate as a byte sequence, ":base64:".
    private static Dictionary<string, string> Forward(X509Certificate2 certificate) =>
        new() { [DpopGateway.CertificateHeader] = ":" + Convert.ToBase64String(certificate.RawData) + ":" };

    private static async Task<HttpResponseMessage> GetOverTlsAsync(GatewayHost gateway, X509Certificate2 server, string token, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, UseProxy = false };
        // The gateway's self-signed test certificate, pinned.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == server.GetCertHashString(HashAlgorithmName.SHA256);
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        using var client = new HttpClient(handler) { BaseAddress = gateway.PublicUrl, Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static X509Certificate2 SelfSigned(string subject, bool server = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Through PKCS#12 so that TLS on Linux can use the private key.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
