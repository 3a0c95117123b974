using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.IdentityProvider;

/// <summary>
/// Proves the <see cref="OidcProvider"/> fixture: each grant really runs against oidc-provider and yields the tokens a
/// relying party and the gateway would see, key rotation changes the JWKS, RP-initiated logout delivers a back-channel
/// logout token, and the gateway accepts the provider's access tokens.
/// </summary>
public sealed class OidcProviderFixtureTests(OidcProvider provider, ITestOutputHelper output) : IClassFixture<OidcProvider>
{
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    [Fact]
    public async Task ClientCredentials_IssuesAJwtAccessTokenForTheResource()
    {
        output.WriteLine($"oidc-provider on node {provider.NodeVersion} at {provider.Issuer}");
        var tokens = await provider.ClientCredentialsAsync(OidcProvider.Es256Client, scope: "api:read");
        Print("client_credentials", tokens);

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Null(tokens.RefreshToken);
        Assert.Equal("at+jwt", (string?)tokens.AccessTokenHeader["typ"]);
        Assert.Equal("ES256", (string?)tokens.AccessTokenHeader["alg"]);
        var claims = tokens.AccessTokenClaims;
        Assert.Equal(provider.Issuer, (string?)claims["iss"]);
        Assert.Equal(OidcProvider.DefaultResource, (string?)claims["aud"]);
        Assert.Equal(OidcProvider.Es256Client, (string?)claims["client_id"]);
        Assert.Equal(OidcProvider.Es256Client, (string?)claims["sub"]);
        Assert.Equal("api:read", (string?)claims["scope"]);
        Assert.NotNull(claims["jti"]);
        Assert.True((long)claims["exp"]! > (long)claims["iat"]!);
        Assert.Null(claims["sid"]);
        Assert.Null(claims["cnf"]);
        Assert.Contains(await KidsAsync(), kid => kid == (string?)tokens.AccessTokenHeader["kid"]);
    }

    [Theory]
    [InlineData(OidcProvider.Es256Client, "ES256")]
    [InlineData(OidcProvider.Rs256Client, "RS256")]
    [InlineData(OidcProvider.Ps256Client, "PS256")]
    public async Task AuthorizationCode_ThroughLoginAndConsentForms_IssuesUserTokens(string clientId, string idTokenAlg)
    {
        var tokens = await provider.AuthorizationCodeAsync(clientId, user: "alice", scopes: "openid offline_access api:read api:write");
        Print("authorization_code", tokens);

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.NotNull(tokens.RefreshToken);
        Assert.Equal("at+jwt", (string?)tokens.AccessTokenHeader["typ"]);
        var claims = tokens.AccessTokenClaims;
        Assert.Equal(provider.Issuer, (string?)claims["iss"]);
        Assert.Equal(OidcProvider.DefaultResource, (string?)claims["aud"]);
        Assert.Equal(clientId, (string?)claims["client_id"]);
        Assert.Equal("alice", (string?)claims["sub"]);
        // Only the resource's scopes: openid and offline_access are not for the API.
        Assert.Equal("api:read api:write", (string?)claims["scope"]);
        // No auth_time in access tokens, whatever the login: a MaxTokenAge route always answers with a step-up challenge.
        Assert.Null(claims["auth_time"]);

        // extraTokenClaims puts the session id in.
        Assert.NotNull(claims["sid"]);

        // The ID token is signed with the client's id_token_signed_response_alg. oidc-provider leaves sid out of it for
        // clients without back-channel logout (see the logout test for one with it).
        var idToken = tokens.IdTokenClaims;
        Assert.Equal(idTokenAlg, (string?)TokenFactory.Part(tokens.IdToken!, 0)["alg"]);
        Assert.Equal(clientId, (string?)idToken["aud"]);
        Assert.Equal("alice", (string?)idToken["sub"]);
        Assert.Null(idToken["sid"]);
    }

    [Fact]
    public async Task AuthorizationCode_EachLoginIsANewSession()
    {
        var first = await provider.AuthorizationCodeAsync(user: "carol");
        var second = await provider.AuthorizationCodeAsync(user: "carol");
        Assert.NotEqual((string?)first.AccessTokenClaims["sid"], (string?)second.AccessTokenClaims["sid"]);
    }

    [Fact]
    public async Task AccessTokenSid_CanBeSwitchedOff()
    {
        await provider.SetAccessTokenSidAsync(false);
        try
        {
            var tokens = await provider.AuthorizationCodeAsync(user: "dave");
            Assert.Null(tokens.AccessTokenClaims["sid"]);
        }
        finally
        {
            await provider.SetAccessTokenSidAsync(true);
        }
    }

    [Fact]
    public async Task Refresh_RotatesTheRefreshToken_AndKeepsTheSession()
    {
        var login = await provider.AuthorizationCodeAsync(user: "erin");
        var refreshed = await provider.RefreshAsync(login.RefreshToken!);
        Print("refresh_token", refreshed);

        Assert.NotNull(refreshed.RefreshToken);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        var before = login.AccessTokenClaims;
        var after = refreshed.AccessTokenClaims;
        Assert.Equal("at+jwt", (string?)refreshed.AccessTokenHeader["typ"]);
        Assert.Equal(OidcProvider.DefaultResource, (string?)after["aud"]);
        Assert.Equal("erin", (string?)after["sub"]);
        Assert.Equal((string?)before["sid"], (string?)after["sid"]);
        Assert.NotEqual((string?)before["jti"], (string?)after["jti"]);

        // Rotation: the used refresh token is spent.
        var reuse = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.RefreshAsync(login.RefreshToken!));
        Assert.Contains("invalid_grant", reuse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientCredentialsDpop_BindsTheTokenToTheKey_AfterTheNonceChallenge()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var challengesBefore = provider.DpopNonceChallenges;

        var tokens = await provider.ClientCredentialsDpopAsync(key);
        Print("client_credentials + DPoP", tokens);

        Assert.Equal("DPoP", tokens.TokenType);
        Assert.Equal(DpopProofBuilder.ThumbprintOf(key), (string?)tokens.AccessTokenClaims["cnf"]?["jkt"]);
        Assert.True(provider.DpopNonceChallenges > challengesBefore, "the provider requires DPoP nonces: the fixture should have retried once");
    }

    [Fact]
    public async Task AuthorizationCodeDpop_BindsTheAccessToken_AndRefreshKeepsTheBinding()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jkt = DpopProofBuilder.ThumbprintOf(key);

        var tokens = await provider.AuthorizationCodeAsync(user: "frank", dpopKey: key);
        Print("authorization_code + DPoP", tokens);
        Assert.Equal("DPoP", tokens.TokenType);
        Assert.Equal(jkt, (string?)tokens.AccessTokenClaims["cnf"]?["jkt"]);
        Assert.Equal("frank", (string?)tokens.AccessTokenClaims["sub"]);

        var refreshed = await provider.RefreshAsync(tokens.RefreshToken!, key);
        Assert.Equal(jkt, (string?)refreshed.AccessTokenClaims["cnf"]?["jkt"]);
    }

    [Fact]
    public void DpopProof_HasTheRfc9449Shape()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var builder = new DpopProofBuilder(key);
        var proof = builder.Build("GET", new Uri("https://gw.test/api/x?q=1#f"), accessToken: "abc", nonce: "n-1");

        var header = TokenFactory.Part(proof, 0);
        var payload = TokenFactory.Part(proof, 1);
        Assert.Equal("dpop+jwt", (string?)header["typ"]);
        Assert.Equal("ES256", (string?)header["alg"]);
        Assert.Null(header["jwk"]!["d"]);
        Assert.Equal("GET", (string?)payload["htm"]);
        Assert.Equal("https://gw.test/api/x", (string?)payload["htu"]);
        Assert.Equal("n-1", (string?)payload["nonce"]);
        // RFC 9449 section 4.2: ath = base64url(SHA-256("abc")).
        Assert.Equal("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", (string?)payload["ath"]);
        Assert.NotNull(payload["jti"]);
        Assert.NotNull(payload["iat"]);
    }

    [Fact]
    public async Task RotateKeys_ReplacesTheKeysInTheJwks_AndNewTokensUseThem()
    {
        var before = await KidsAsync();
        var old = await provider.ClientCredentialsAsync();

        var rotated = await provider.RotateKeysAsync();
        var after = await KidsAsync();
        output.WriteLine($"kids before: {string.Join(", ", before)}; after: {string.Join(", ", after)}");

        Assert.Equal(3, after.Count);
        Assert.Empty(before.Intersect(after));
        Assert.Equal(after, rotated["keys"]!.AsArray().Select(k => (string)k!["kid"]!).ToHashSet());
        Assert.DoesNotContain(Kid(old.AccessTokenHeader), after);
        var fresh = await provider.ClientCredentialsAsync();
        Assert.Contains(Kid(fresh.AccessTokenHeader), after);
    }

    [Fact]
    public async Task RotateKeys_RetainingThePreviousKeys_ServesBoth()
    {
        var before = await KidsAsync();
        await provider.RotateKeysAsync(retainPrevious: true);
        var after = await KidsAsync();
        Assert.Equal(before.Count * 2, after.Count);
        Assert.Superset(before, after);
        Assert.DoesNotContain(Kid((await provider.ClientCredentialsAsync()).AccessTokenHeader), before);
    }

    [Fact]
    public async Task RpInitiatedLogout_PostsABackchannelLogoutToken_ToTheClient()
    {
        var received = Channel.CreateUnbounded<(string ContentType, string LogoutToken)>();
        await using var receiver = await LoopbackServer.StartAsync(async context =>
        {
            var form = await context.Request.ReadFormAsync();
            await received.Writer.WriteAsync((context.Request.ContentType ?? string.Empty, form["logout_token"].ToString()));
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        // PS256: the logout token is signed with the client's id_token_signed_response_alg.
        var client = new OidcClient("rp-logout-" + Guid.NewGuid().ToString("N")[..8], "logout-secret")
        {
            IdTokenSignedResponseAlg = "PS256",
            BackchannelLogoutUri = new Uri(receiver.BaseAddress, "backchannel-logout").ToString(),
        };
        await provider.RegisterClientAsync(client);
        var tokens = await provider.AuthorizationCodeAsync(client.ClientId, user: "grace");
        var sid = (string?)tokens.IdTokenClaims["sid"];
        Assert.NotNull(sid);
        Assert.Equal(sid, (string?)tokens.AccessTokenClaims["sid"]);

        await provider.LogoutAsync(tokens.IdToken!);

        // The provider answers the confirmation only after its back-channel POSTs, so the token is already here.
        Assert.True(received.Reader.TryRead(out var delivery), "no logout token arrived; provider events: " + await provider.EventsAsync());
        output.WriteLine("logout token header: " + TokenFactory.Part(delivery.LogoutToken, 0).ToJsonString());
        output.WriteLine("logout token claims: " + TokenFactory.Part(delivery.LogoutToken, 1).ToJsonString());
        Assert.StartsWith("application/x-www-form-urlencoded", delivery.ContentType, StringComparison.Ordinal);
        var header = TokenFactory.Part(delivery.LogoutToken, 0);
        Assert.Equal("PS256", (string?)header["alg"]);
        Assert.Equal("logout+jwt", (string?)header["typ"]);
        Assert.Contains(Kid(header), await KidsAsync());
        var claims = TokenFactory.Part(delivery.LogoutToken, 1);
        Assert.Equal(provider.Issuer, (string?)claims["iss"]);
        Assert.Equal(client.ClientId, (string?)claims["aud"]);
        Assert.Equal("grace", (string?)claims["sub"]);
        Assert.Equal(sid, (string?)claims["sid"]);
        Assert.NotNull(claims["events"]![LogoutEvent]);
        Assert.NotNull(claims["jti"]);
        Assert.NotNull(claims["iat"]);
        Assert.NotNull(claims["exp"]);
        Assert.Null(claims["nonce"]);
        Assert.False(received.Reader.TryRead(out _), "one logout token per client and session");
    }

    [Fact]
    public async Task Gateway_AcceptsTheProvidersAccessTokens_AndRefusesGarbage()
    {
        await using var backend = await RecordingBackend.StartAsync();
        var config = new GatewayConfig()
            .AddIssuer(provider.Issuer, [OidcProvider.DefaultResource], ["ES256", "RS256", "PS256"], jwksUri: provider.JwksUri, validTypes: ["at+jwt"])
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, backend.Url);
        await using var gateway = await GatewayHost.StartAsync(config);

        var clientCredentials = await provider.ClientCredentialsAsync(OidcProvider.Rs256Client);
        var login = await provider.AuthorizationCodeAsync(OidcProvider.Ps256Client, user: "heidi");
        var refreshed = await provider.RefreshAsync(login.RefreshToken!);
        foreach (var (grant, tokens) in new[] { ("client_credentials", clientCredentials), ("authorization_code", login), ("refresh_token", refreshed) })
        {
            using var response = await gateway.GetAsync("/api/orders", tokens.AccessToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{grant}: {(int)response.StatusCode} {response.Headers.WwwAuthenticate}");
        }

        Assert.Equal(3, backend.RequestsTo("/api/orders").Count);
        using var garbage = await gateway.GetAsync("/api/orders", "garbage");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        // A well-formed token of the provider, its signature broken.
        var forged = clientCredentials.AccessToken[..^4] + (clientCredentials.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var refused = await gateway.GetAsync("/api/orders", forged);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(3, backend.RequestsTo("/api/orders").Count);
    }

    [Fact]
    public async Task Gateway_RevokesTheSession_WhenTheProviderPostsABackchannelLogout()
    {
        await using var backend = await RecordingBackend.StartAsync();
        var (gateway, clientId) = await StartGatewayWithLogoutClientAsync(backend);
        await using var disposeGateway = gateway;

        var laptop = await provider.AuthorizationCodeAsync(clientId, user: "ivan");
        var phone = await provider.AuthorizationCodeAsync(clientId, user: "ivan");
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", laptop.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", phone.AccessToken)).StatusCode);

        // The client id is a logout audience, not an API audience: an ID token never passes as an access token.
        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", laptop.IdToken!), "invalid_audience");

        await provider.LogoutAsync(laptop.IdToken!);

        await AssertLogoutDeliveredAsync(gateway, clientId);
        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", laptop.AccessToken), "session_revoked");
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", phone.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Gateway_BackchannelLogout_ReachesAccessTokensWithoutSid()
    {
        // RFC 9068 access tokens need not carry sid, and oidc-provider's do not unless told (extraTokenClaims).
        await provider.SetAccessTokenSidAsync(false);
        try
        {
            await using var backend = await RecordingBackend.StartAsync();
            var (gateway, clientId) = await StartGatewayWithLogoutClientAsync(backend);
            await using var disposeGateway = gateway;

            var laptop = await provider.AuthorizationCodeAsync(clientId, user: "judy");
            Assert.False(laptop.AccessTokenClaims.ContainsKey("sid"), "the access token carries sid: " + laptop.AccessTokenClaims.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", laptop.AccessToken)).StatusCode);

            await provider.LogoutAsync(laptop.IdToken!);

            await AssertLogoutDeliveredAsync(gateway, clientId);
            await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", laptop.AccessToken), "session_revoked");

            // A login after the logout (a later iat second) passes again.
            await Task.Delay(TimeSpan.FromSeconds(1.1));
            var again = await provider.AuthorizationCodeAsync(clientId, user: "judy");
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", again.AccessToken)).StatusCode);
        }
        finally
        {
            await provider.SetAccessTokenSidAsync(true);
        }
    }

    private async Task<(GatewayHost Gateway, string ClientId)> StartGatewayWithLogoutClientAsync(RecordingBackend backend)
    {
        var clientId = "rp-gateway-" + Guid.NewGuid().ToString("N")[..8];

        // A logout token's aud is the client id (OIDC Back-Channel Logout 2.4): LogoutAudiences, never Audiences.
        var config = new GatewayConfig()
            .AddIssuer(provider.Issuer, [OidcProvider.DefaultResource], ["ES256", "RS256", "PS256"], jwksUri: provider.JwksUri)
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, backend.Url);
        config.Issuer()["LogoutAudiences"] = new JsonArray(clientId);
        var gateway = await GatewayHost.StartAsync(config);
        await provider.RegisterClientAsync(new OidcClient(clientId, "gateway-secret")
        {
            IdTokenSignedResponseAlg = "RS256",
            BackchannelLogoutUri = new Uri(gateway.PublicUrl, "backchannel-logout").ToString(),
        });
        return (gateway, clientId);
    }

    private async Task AssertLogoutDeliveredAsync(GatewayHost gateway, string clientId)
    {
        var events = await provider.EventsAsync();
        Assert.True(
            events.Any(e => (string?)e!["name"] == "backchannel.success" && (string?)e["client_id"] == clientId),
            "no successful back-channel logout: " + events.ToJsonString() + "\ngateway: " + gateway.Logs.AllText());
    }

    private static string Kid(JsonObject header) => (string)header["kid"]!;

    private async Task<HashSet<string>> KidsAsync() =>
        (await provider.GetJwksAsync())["keys"]!.AsArray().Select(k => (string)k!["kid"]!).ToHashSet();

    private void Print(string grant, OidcTokens tokens)
    {
        output.WriteLine($"{grant}: token_type={tokens.TokenType} scope={tokens.Scope} expires_in={tokens.ExpiresIn}");
        output.WriteLine("  access token header: " + tokens.AccessTokenHeader.ToJsonString());
        output.WriteLine("  access token claims: " + tokens.AccessTokenClaims.ToJsonString());
        if (tokens.IdToken is not null)
        {
            output.WriteLine("  id token claims:     " + tokens.IdTokenClaims.ToJsonString());
        }
    }
}
