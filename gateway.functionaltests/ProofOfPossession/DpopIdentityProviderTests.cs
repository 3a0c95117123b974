using System.Net;
using System.Security.Cryptography;
using Gateway.Testing;

namespace Gateway.FunctionalTests.ProofOfPossession;

/// <summary>DPoP-bound access tokens from a real OpenID Provider (oidc-provider), presented to a real gateway.</summary>
public sealed class DpopIdentityProviderTests(OidcProvider provider) : IClassFixture<OidcProvider>
{
    private const string Path = "/api/orders";

    [Fact]
    public async Task ClientCredentialsDpopToken_PassesWithAProof_AndIsUselessWithoutTheKey()
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await StartGatewayAsync(backend);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tokens = await provider.ClientCredentialsDpopAsync(key);
        var url = new Uri(gateway.PublicUrl, Path);

        using var ok = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", tokens.AccessToken, [new DpopProofBuilder(key).Build("GET", url, tokens.AccessToken)]);
        using var asBearer = await gateway.GetAsync(Path, tokens.AccessToken);
        using var stolen = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", tokens.AccessToken, [new DpopProofBuilder(thief).Build("GET", url, tokens.AccessToken)]);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Refusals.AssertDpopRefusalAsync(asBearer, "dpop_scheme_required");
        await Refusals.AssertDpopRefusalAsync(stolen, "dpop_key_mismatch");
        Assert.Single(backend.Requests);
    }

    [Fact]
    public async Task AuthorizationCodeDpopToken_PassesWithAProof_OnARouteRequiringDpop_WherePlainTokensAreRefused()
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await StartGatewayAsync(backend);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var bound = await provider.AuthorizationCodeAsync(user: "dpop-user", dpopKey: key);
        var plain = await provider.ClientCredentialsAsync();
        var url = new Uri(gateway.PublicUrl, "/strict/x");

        using var ok = await DpopGateway.SendAsync(gateway, HttpMethod.Get, "/strict/x", "DPoP", bound.AccessToken, [new DpopProofBuilder(key).Build("GET", url, bound.AccessToken)]);
        using var refused = await gateway.GetAsync("/strict/x", plain.AccessToken);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("dpop-user", backend.Requests.Single().Header("X-Auth-Subject"));
        await Refusals.AssertDpopRefusalAsync(refused, "dpop_required");
    }

    private async Task<GatewayHost> StartGatewayAsync(RecordingBackend backend) =>
        await GatewayHost.StartAsync(new GatewayConfig()
            .AddIssuer(provider.Issuer, [OidcProvider.DefaultResource], ["ES256", "RS256", "PS256"], jwksUri: provider.JwksUri)
            .AddRoute("api", "/api/{**rest}")
            .AddRoute("strict", "/strict/{**rest}", metadata: new Dictionary<string, string> { ["Dpop"] = "Required" })
            .AddCluster(GatewayConfig.ClusterId, backend.Url));
}
