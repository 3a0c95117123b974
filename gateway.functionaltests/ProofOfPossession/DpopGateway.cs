using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.ProofOfPossession;

/// <summary>
/// The standard gateway (embedded store) with an admin key, a route <c>/strict</c> with <c>Dpop=Required</c>, loopback as
/// a trusted proxy and RFC 9440 <c>Client-Cert</c> as the forwarded client-certificate header.
/// </summary>
public sealed class DpopGateway : StandardGateway
{
    public const string ApiKey = "dpop-admin-key-0123456789";

    public const string CertificateHeader = "Client-Cert";

    /// <summary>A DPoP-bound token (<c>cnf.jkt</c> of <paramref name="key"/>) signed by the ES256 issuer key.</summary>
    public string BoundToken(ECDsa key, string sub = "alice", string? sid = null, string? jti = null) =>
        TokenFactory.Mint(Es256, sub: sub, sid: sid, jti: jti, claims: new Dictionary<string, object?>
        {
            ["cnf"] = new JsonObject { ["jkt"] = DpopProofBuilder.ThumbprintOf(key) },
        });

    /// <summary>The gateway's URL for <paramref name="path"/>: what a proof's <c>htu</c> names.</summary>
    public Uri Url(string path) => new(Gateway.PublicUrl, path);

    /// <summary>A request with <c>Authorization: &lt;scheme&gt; &lt;token&gt;</c> and one <c>DPoP</c> header per proof.</summary>
    public async Task<HttpResponseMessage> SendAsync(string path, string token, params string[] proofs) =>
        await SendAsync(Gateway, HttpMethod.Get, path, "DPoP", token, proofs);

    public static async Task<HttpResponseMessage> SendAsync(GatewayHost gateway, HttpMethod method, string path, string scheme, string token,
        IEnumerable<string> proofs, IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + token);
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await gateway.SendAsync(request);
    }

    protected override void Configure(GatewayConfig config)
    {
        config.AddRoute("strict", "/strict/{**rest}", metadata: new Dictionary<string, string> { ["Dpop"] = "Required" })
            .WithAdminApiKeys(ApiKey)
            .Set("Gateway:ForwardedHeaders:TrustedProxies", new JsonArray("127.0.0.1", "::1"))
            .Set("Gateway:ClientCertificates:ForwardedHeader", CertificateHeader);
    }
}
