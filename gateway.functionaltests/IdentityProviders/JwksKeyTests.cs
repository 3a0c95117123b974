using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Gate.Refusals;
using Gateway.Hosting;
using Gateway.Telemetry;
using Gateway.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// Keys as providers publish them: an Ed25519 (OKP) key is skipped and every other key still verifies, at start-up
/// and on a refresh, and readiness says so; a key withdrawn from the JWKS stops its tokens at once after
/// <c>POST /admin/keys/refresh</c>, also those verified (and cached) before.
/// </summary>
public sealed class JwksKeyTests
{
    private const string ApiKey = "jwks-admin-key-0123456789";

    private static JsonObject Ed25519Jwk(string kid) => new()
    {
        ["kty"] = "OKP",
        ["crv"] = "Ed25519",
        ["x"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
        ["kid"] = kid,
        ["use"] = "sig",
        ["alg"] = "EdDSA",
    };

    private static async Task<(JwksServer Jwks, RecordingBackend Backend, GatewayHost Gateway)> StartAsync(IEnumerable<JsonObject> keys)
    {
        var jwks = new JwksServer();
        jwks.SetKeys(keys);
        await jwks.InitializeAsync();
        var backend = await RecordingBackend.StartAsync();
        var gateway = await GatewayHost.StartAsync(GatewayConfig.Standard(jwks.Url, backend.Url).WithAdminApiKeys(ApiKey));
        return (jwks, backend, gateway);
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> AdminAsync(GatewayHost gateway, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", ApiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await gateway.AdminClient.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Ed25519KeyAtStartUp_IsSkipped_OtherKeysVerify_ReadinessSaysSo()
    {
        using var es = TestKey.Es256("es-1");
        var (jwks, backend, gateway) = await StartAsync([Ed25519Jwk("ed-1"), es.PublicJwk()]);
        await using var jwksServer = jwks;
        await using var backendServer = backend;
        await using var gatewayHost = gateway;

        using var ok = await gateway.GetAsync("/api/x", TokenFactory.Mint(es));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // A token signed with the Ed25519 key names alg EdDSA, which no allow-list can hold.
        var edToken = TokenFactory.Unsigned("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}", TokenFactory.Claims().ToJsonString(), Base64UrlEncoder.Encode(new byte[64]));
        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", edToken), Reasons.AlgorithmNotAllowed.Code);

        var (status, ready) = await AdminAsync(gateway, HttpMethod.Get, "/readyz");
        Assert.Equal(HttpStatusCode.OK, status);
        var detail = ready["checks"]!["issuers"]!["detail"]!.GetValue<string>();
        Assert.Contains("1 of 1 issuers have keys", detail, StringComparison.Ordinal);
        Assert.Contains("1 JWKS key(s) skipped: key 0 (kid 'ed-1'): kty OKP (curve 'Ed25519') is not supported", detail, StringComparison.Ordinal);

        var warning = Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == LogEvents.JwksKeySkipped);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("ed-1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ed25519KeyAddedLater_IsSkippedOnRefresh_OtherKeysKeepVerifying()
    {
        using var es = TestKey.Es256("es-1");
        var (jwks, backend, gateway) = await StartAsync([es.PublicJwk()]);
        await using var jwksServer = jwks;
        await using var backendServer = backend;
        await using var gatewayHost = gateway;
        var token = TokenFactory.Mint(es);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", token)).StatusCode);

        jwks.SetKeys([es.PublicJwk(), Ed25519Jwk("ed-2")]);
        var (status, refreshed) = await AdminAsync(gateway, HttpMethod.Post, "/admin/keys/refresh", new { iss = TokenFactory.Issuer });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, refreshed["keys"]!.GetValue<int>());
        Assert.Equal(0, refreshed["withdrawn"]!.GetValue<int>());
        var skipped = Assert.Single(refreshed["skipped"]!.AsArray());
        Assert.Contains("kty OKP", skipped!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", TokenFactory.Mint(es))).StatusCode);
        var (_, ready) = await AdminAsync(gateway, HttpMethod.Get, "/readyz");
        Assert.Contains("kid 'ed-2'", ready["checks"]!["issuers"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EdDsaInTheAllowList_FailsStartUpNamingTheKey()
    {
        using var es = TestKey.Es256();
        var config = GatewayConfig.StandardInline(JwksDocument.Of(es), "http://127.0.0.1:9/");
        config.Issuer()["Algorithms"] = new JsonArray("EdDSA");

        var exception = await GatewayHost.StartExpectingFailureAsync(config);

        Assert.Contains(StartupErrors.Describe(exception), l => l.StartsWith("Gateway:Tokens:Issuers:0:Algorithms: unknown algorithm 'EdDSA'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyWithdrawn_AfterKeysRefresh_CachedTokenIsRefusedAtOnce_AndCannotBeRevokedByPresentingIt()
    {
        using var k1 = TestKey.Es256("k1");
        using var k2 = TestKey.Es256("k2");
        var (jwks, backend, gateway) = await StartAsync([k1.PublicJwk(), k2.PublicJwk()]);
        await using var jwksServer = jwks;
        await using var backendServer = backend;
        await using var gatewayHost = gateway;
        var old = TokenFactory.Mint(k1, sid: "s1", jti: "old-token");
        var current = TokenFactory.Mint(k2);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", old)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", old)).StatusCode);

        jwks.SetKeys(k2);
        var (status, refreshed) = await AdminAsync(gateway, HttpMethod.Post, "/admin/keys/refresh", new { iss = TokenFactory.Issuer });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, refreshed["withdrawn"]!.GetValue<int>());
        Assert.True(refreshed["refreshed"]!.GetValue<bool>());

        // Verified (and cached) before: refused at once, no waiting for the cache entry to expire.
        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", old), Reasons.UnknownKey.Code);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", current)).StatusCode);

        // Current behaviour: it cannot be revoked by presenting it (its signature no longer verifies) ...
        var (revokeStatus, problem) = await AdminAsync(gateway, HttpMethod.Post, "/admin/revoke/token", new { token = old });
        Assert.Equal(HttpStatusCode.BadRequest, revokeStatus);
        Assert.Equal("token", problem["field"]!.GetValue<string>());
        Assert.Equal("the token was refused: unknown_key", problem["detail"]!.GetValue<string>());
        var (_, introspection) = await AdminAsync(gateway, HttpMethod.Post, "/admin/introspect", new { token = old });
        Assert.False(introspection["active"]!.GetValue<bool>());
        Assert.Equal(Reasons.UnknownKey.Code, introspection["reason"]!.GetValue<string>());

        // ... but by its ids, for the case the key is published again (a rollback of a rotation).
        var (byIds, _) = await AdminAsync(gateway, HttpMethod.Post, "/admin/revoke/token",
            new { sub = "alice", jti = "old-token", exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() });
        Assert.Equal(HttpStatusCode.OK, byIds);
        jwks.SetKeys(k1, k2);
        var (_, again) = await AdminAsync(gateway, HttpMethod.Post, "/admin/keys/refresh", new { iss = TokenFactory.Issuer });
        Assert.Equal(2, again["keys"]!.GetValue<int>());
        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", old), Reasons.TokenRevoked.Code);
        Assert.Empty(backend.RequestsTo("/api/x").Skip(3));
    }
}
