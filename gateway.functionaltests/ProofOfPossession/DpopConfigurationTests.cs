using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.ProofOfPossession;

/// <summary>DPoP settings that need their own gateway: server nonces, issuer policy, a shared replay guard on Redis.</summary>
public sealed class DpopConfigurationTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    private const string Path = "/api/orders";
    private const string PublicOrigin = "https://api.example.com";

    private static readonly Dictionary<string, string> Forwarded = new() { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "api.example.com" };

    [Fact]
    public async Task Nonces_AProofWithoutOne_GetsUseDpopNonce_ThenTheNoncePasses()
    {
        var config = Standard().Set("Gateway:Dpop:NonceSecret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await using var gateway = await GatewayHost.StartAsync(config);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = BoundToken(key);
        var proofs = new DpopProofBuilder(key);
        var url = new Uri(gateway.PublicUrl, Path);

        using var challenge = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", url, token)]);
        await Refusals.AssertDpopRefusalAsync(challenge, "dpop_nonce_required", error: "use_dpop_nonce");
        var nonce = Assert.Single(challenge.Headers.GetValues("DPoP-Nonce"));

        // Change the first character to one it is not: "A" + nonce[1..] was the nonce itself once in 64 runs.
        var changed = (nonce[0] == 'A' ? 'B' : 'A') + nonce[1..];
        using var forged = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", url, token, nonce: changed)]);
        await Refusals.AssertDpopRefusalAsync(forged, "dpop_nonce_invalid", error: "use_dpop_nonce");

        using var ok = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", url, token, nonce: nonce)]);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Single(ok.Headers.GetValues("DPoP-Nonce"));

        // Plain bearer tokens never meet nonces.
        using var bearer = await gateway.GetAsync(Path, fixture.Token());
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task IssuerRequiringDpop_RefusesItsPlainBearerTokens_OnEveryRoute()
    {
        var config = Standard();
        config.Issuer()["Dpop"] = "Required";
        await using var gateway = await GatewayHost.StartAsync(config);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = BoundToken(key);

        using var plain = await gateway.GetAsync(Path, fixture.Token());
        using var bound = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token,
            [new DpopProofBuilder(key).Build("GET", new Uri(gateway.PublicUrl, Path), token)]);

        await Refusals.AssertDpopRefusalAsync(plain, "dpop_required");
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
    }

    [Theory]
    [InlineData("Gateway:Tokens:Issuers:0:Dpop", "Sometimes", "Gateway:Tokens:Issuers:0:Dpop")]
    [InlineData("Gateway:Dpop:ReplayScope", "Nowhere", "Gateway:Dpop:ReplayScope")]
    [InlineData("Gateway:Dpop:IatWindow", "01:00:00", "Gateway:Dpop:IatWindow")]
    [InlineData("ReverseProxy:Routes:api:Metadata:Dpop", "Maybe", "ReverseProxy:Routes:api:Metadata:Dpop")]
    public async Task BadSetting_FailsStartUp_NamingTheKey(string key, string value, string named)
    {
        const string issuer = "Gateway:Tokens:Issuers:0:";
        var config = Standard();
        if (key.StartsWith(issuer, StringComparison.Ordinal))
        {
            config.Issuer()[key[issuer.Length..]] = value;
        }
        else
        {
            config.Set(key, value);
        }

        var error = await GatewayHost.StartExpectingFailureAsync(config);

        Assert.Contains(Gateway.Hosting.StartupErrors.Describe(error), line => line.StartsWith(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_OnAnotherInstance_IsRefused_WithASharedRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        var config = BehindOneLoadBalancer(redis);
        await using var first = await GatewayHost.StartAsync(config);
        await using var second = await GatewayHost.StartAsync(config);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", new Uri(PublicOrigin + Path), token);

        using var accepted = await DpopGateway.SendAsync(first, HttpMethod.Get, Path, "DPoP", token, [proof], Forwarded);
        using var replayed = await DpopGateway.SendAsync(second, HttpMethod.Get, Path, "DPoP", token, [proof], Forwarded);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await Refusals.AssertDpopRefusalAsync(replayed, "dpop_proof_replayed");
        Assert.Equal(":1", await redis.ExecuteAsync("EXISTS", "gw:dpop:" + DpopDigest(key, proof)));
        var ttl = int.Parse((await redis.ExecuteAsync("TTL", "gw:dpop:" + DpopDigest(key, proof)))[1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ttl, 1, 62);
    }

    [Fact]
    public async Task Replay_OnAnotherInstance_Passes_WithReplayScopeInstance_ButNotOnTheSameOne()
    {
        await using var redis = await RedisServer.StartAsync();
        var config = BehindOneLoadBalancer(redis).Set("Gateway:Dpop:ReplayScope", "Instance");
        await using var first = await GatewayHost.StartAsync(config);
        await using var second = await GatewayHost.StartAsync(config);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = BoundToken(key);
        var proof = new DpopProofBuilder(key).Build("GET", new Uri(PublicOrigin + Path), token);

        using var accepted = await DpopGateway.SendAsync(first, HttpMethod.Get, Path, "DPoP", token, [proof], Forwarded);
        using var elsewhere = await DpopGateway.SendAsync(second, HttpMethod.Get, Path, "DPoP", token, [proof], Forwarded);
        using var again = await DpopGateway.SendAsync(first, HttpMethod.Get, Path, "DPoP", token, [proof], Forwarded);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        await Refusals.AssertDpopRefusalAsync(again, "dpop_proof_replayed");
        Assert.Equal(":0", await redis.ExecuteAsync("EXISTS", "gw:dpop:" + DpopDigest(key, proof)));
    }

    [Fact]
    public async Task RevokedUser_RefusesTheBoundToken_OnRedisToo()
    {
        await using var redis = await RedisServer.StartAsync();
        const string apiKey = "dpop-admin-key-0123456789";
        var config = Standard().WithRedis(redis.ConnectionString).Set("Gateway:Redis:DataLossCutoff", false).WithAdminApiKeys(apiKey);
        await using var gateway = await GatewayHost.StartAsync(config);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var sub = "dpop-" + Guid.NewGuid().ToString("N")[..8];
        var token = TokenFactory.Mint(fixture.Es256, sub: sub, iat: TimeSpan.FromSeconds(-5), claims: Cnf(key));
        var proofs = new DpopProofBuilder(key);
        var url = new Uri(gateway.PublicUrl, Path);
        using (var before = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", url, token)]))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var revoke = await SessionGateway.AdminPostAsync(gateway, "/admin/revoke/user", new { sub }, apiKey))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        using var after = await DpopGateway.SendAsync(gateway, HttpMethod.Get, Path, "DPoP", token, [proofs.Build("GET", url, token)]);
        await Refusals.AssertInvalidTokenAsync(after, "user_version_stale");
    }

    private GatewayConfig Standard() => GatewayConfig.Standard(fixture.Jwks.Url, fixture.Backend.Url);

    // Two instances behind one load balancer on a shared Redis: the client addressed PublicOrigin, which the proxy forwards.
    private GatewayConfig BehindOneLoadBalancer(RedisServer redis) => Standard().WithRedis(redis.ConnectionString)
        .Set("Gateway:Redis:DataLossCutoff", false)
        .Set("Gateway:ForwardedHeaders:TrustedProxies", new JsonArray("127.0.0.1", "::1"));

    private string BoundToken(ECDsa key) => TokenFactory.Mint(fixture.Es256, claims: Cnf(key));

    private static Dictionary<string, object?> Cnf(ECDsa key) => new() { ["cnf"] = new JsonObject { ["jkt"] = DpopProofBuilder.ThumbprintOf(key) } };

    // The replay key the gateway writes: dpop: + base64url(SHA-256(jkt ‖ 0 ‖ jti)) (DpopReplayGuard.Key).
    private static string DpopDigest(ECDsa key, string proof) =>
        Gateway.Gate.ProofOfPossession.DpopReplayGuard.Key(DpopProofBuilder.ThumbprintOf(key), TokenFactory.Part(proof, 1)["jti"]!.GetValue<string>())["dpop:".Length..];
}
