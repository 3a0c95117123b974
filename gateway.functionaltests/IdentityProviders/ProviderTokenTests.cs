using System.Net;
using System.Text.Json.Nodes;
using Gateway.Gate.Refusals;
using Gateway.Testing;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// Access tokens shaped exactly as Keycloak, Auth0 (both profiles), Entra ID v1 and v2, Okta and Cognito document
/// them, against one gateway configured for all of them the way README says: they pass as they come, their scope
/// shapes satisfy RequiredScopes, every revocation kind their claims allow works through the admin API with
/// <c>iss</c>, and back-channel logout tokens addressed to the client id revoke what the contract says.
/// </summary>
public sealed class ProviderTokenTests(ProviderGateway fixture) : IClassFixture<ProviderGateway>
{
    public static TheoryData<string> Shapes() => [.. ProviderShapes.All.Select(s => s.Name)];

    public static TheoryData<string> ShapesWithTokenId() => [.. ProviderShapes.All.Where(s => s.TokenIdClaim is not null).Select(s => s.Name)];

    public static TheoryData<string> ShapesWithSession() => [.. ProviderShapes.All.Where(s => s.SessionClaim is not null).Select(s => s.Name)];

    public static TheoryData<string> ShapesWithLogout() => [.. ProviderShapes.All.Where(s => s.LogoutClient is not null).Select(s => s.Name)];

    public static TheoryData<string> ShapesWithoutLogout() => [.. ProviderShapes.All.Where(s => s.LogoutClient is null).Select(s => s.Name)];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static ProviderTokenRequest Request(ProviderShape shape, string sub, string? session = null, long? iat = null, string? client = null) =>
        new(sub, session ?? Guid.NewGuid().ToString(), ProviderShapes.NewTokenId(shape), iat ?? Now, client ?? shape.ClientId);

    private async Task AssertPassesAsync(string path, string token)
    {
        using var response = await fixture.Gateway.GetAsync(path, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"{path}: {(int)response.StatusCode} {response.Headers.WwwAuthenticate}");
    }

    private async Task AssertRefusedAsync(string path, string token, string reason)
    {
        var marker = "/" + Guid.NewGuid().ToString("N");
        using var response = await fixture.Gateway.GetAsync(path + marker, token);
        await Refusals.AssertInvalidTokenAsync(response, reason);
        Assert.DoesNotContain(fixture.Backend.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task AccessToken_AsTheProviderIssuesIt_IsForwardedWithItsSubject(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var marker = "/" + Guid.NewGuid().ToString("N");

        await AssertPassesAsync("/api/orders" + marker, fixture.Mint(shape, Request(shape, sub)));

        // The subject the gateway keys state on (Entra: oid, as configured) reaches the backend.
        var seen = Assert.Single(fixture.Backend.Requests, r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal));
        Assert.Equal(sub, seen.Header("X-Auth-Subject"));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task RequiredScopes_TheProvidersScopeShape_GrantsAndRefuses(string name)
    {
        var shape = ProviderShapes.Named(name);
        var token = fixture.Mint(shape, Request(shape, shape.NewSubject()));

        await AssertPassesAsync($"/{name}/read/orders", token);

        using var refused = await fixture.Gateway.GetAsync($"/{name}/write/orders", token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal($"error=\"insufficient_scope\", error_description=\"insufficient_scope\", scope=\"{shape.MissingScope}\"", challenge.Parameter);
        await Refusals.AssertProblemAsync(refused, 403, Reasons.InsufficientScope.Code);
    }

    [Theory]
    [MemberData(nameof(ShapesWithTokenId))]
    public async Task RevokeToken_ByPresentingItAndByIds_WithIss(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var first = Request(shape, sub);
        var firstToken = fixture.Mint(shape, first);
        var second = Request(shape, sub);
        var secondToken = fixture.Mint(shape, second);
        var other = fixture.Mint(shape, Request(shape, sub));
        await AssertPassesAsync("/api/x", firstToken);

        var answer = await fixture.AdminJsonAsync("/admin/revoke/token", new { iss = shape.Issuer, token = firstToken });
        Assert.Equal(first.TokenId, answer["jti"]!.GetValue<string>());
        Assert.Equal(sub, answer["sub"]!.GetValue<string>());
        await AssertRefusedAsync("/api/x", firstToken, Reasons.TokenRevoked.Code);

        // By ids: what a token service that keeps jti (Entra: uti) and exp would send.
        await fixture.AdminJsonAsync("/admin/revoke/token", new { iss = shape.Issuer, sub, jti = second.TokenId, exp = Now + 600 });
        await AssertRefusedAsync("/api/x", secondToken, Reasons.TokenRevoked.Code);

        await AssertPassesAsync("/api/x", other);
    }

    [Fact]
    public async Task RevokeToken_Auth0ProfileWithoutJti_IsRefusedNamingTheWayOut()
    {
        var shape = ProviderShapes.Auth0;
        var token = fixture.Mint(shape, Request(shape, shape.NewSubject()));

        using var response = await fixture.AdminPostAsync("/admin/revoke/token", new { iss = shape.Issuer, token });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("token", problem["field"]!.GetValue<string>());
        Assert.Contains("no jti claim; revoke its session or its user instead", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertPassesAsync("/api/x", token);
    }

    [Theory]
    [MemberData(nameof(ShapesWithSession))]
    public async Task RevokeSession_WithIss_KillsThatSessionOnly(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var session = Guid.NewGuid().ToString();
        var phone = fixture.Mint(shape, Request(shape, sub, session));
        var laptop = fixture.Mint(shape, Request(shape, sub));
        await AssertPassesAsync("/api/x", phone);

        await fixture.AdminJsonAsync("/admin/revoke/session", new { iss = shape.Issuer, sub, sid = session });

        await AssertRefusedAsync("/api/x", phone, Reasons.SessionRevoked.Code);
        // A token refreshed later in the same session (Cognito: same origin_jti) is dead too.
        await AssertRefusedAsync("/api/x", fixture.Mint(shape, Request(shape, sub, session)), Reasons.SessionRevoked.Code);
        await AssertPassesAsync("/api/x", laptop);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task RevokeUser_LogoutEverywhere_WithIss_ProviderVerClaimsChangeNothing(string name)
    {
        // Okta's ver: 1 and Entra's ver: "1.0"/"2.0" mean the token format; VersionClaim is unset, so iat decides.
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var before = Now - 2;
        var tokens = new[] { fixture.Mint(shape, Request(shape, sub, iat: before)), fixture.Mint(shape, Request(shape, sub, iat: before)) };
        foreach (var token in tokens)
        {
            await AssertPassesAsync("/api/x", token);
        }

        var answer = await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = shape.Issuer, sub });
        Assert.Equal(shape.Issuer, answer["iss"]!.GetValue<string>());
        Assert.Equal(1, answer["version"]!.GetValue<long>());
        var cutoff = answer["cutoff"]!.GetValue<long>();

        foreach (var token in tokens)
        {
            await AssertRefusedAsync("/api/x", token, Reasons.UserVersionStale.Code);
        }

        // The next login's token (issued after the cut-off second) passes, ver claim and all.
        await AssertPassesAsync("/api/x", fixture.Mint(shape, Request(shape, sub, iat: cutoff + 1)));
    }

    [Theory]
    [MemberData(nameof(ShapesWithLogout))]
    public async Task BackchannelLogout_WithSid_KillsTheSessionAndTheClientsSidlessTokens(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var session = Guid.NewGuid().ToString();
        var issued = Now - 2;
        var mine = fixture.Mint(shape, Request(shape, sub, session, issued));
        var otherClient = fixture.Mint(shape, Request(shape, sub, Guid.NewGuid().ToString(), issued, client: "another-client"));
        await AssertPassesAsync("/api/x", mine);

        using var response = await PostLogoutAsync(shape, sub, session);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Keycloak's tokens carry the sid; Auth0's carry none and die as this client's (azp / client_id) tokens.
        await AssertRefusedAsync("/api/x", mine, Reasons.SessionRevoked.Code);
        await AssertPassesAsync("/api/x", otherClient);
        // Tokens issued after the logout (a new login of the client) pass, unless they carry the dead sid.
        var later = fixture.Mint(shape, Request(shape, sub, Guid.NewGuid().ToString(), Now + 1));
        await AssertPassesAsync("/api/x", later);
    }

    [Theory]
    [MemberData(nameof(ShapesWithLogout))]
    public async Task BackchannelLogout_WithoutSid_KillsEveryTokenOfTheUserIssuedBefore(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var issued = Now - 2;
        var mine = fixture.Mint(shape, Request(shape, sub, iat: issued));
        var otherClient = fixture.Mint(shape, Request(shape, sub, iat: issued, client: "another-client"));
        var otherUser = fixture.Mint(shape, Request(shape, shape.NewSubject(), iat: issued));
        await AssertPassesAsync("/api/x", mine);

        using var response = await PostLogoutAsync(shape, sub, sid: null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await AssertRefusedAsync("/api/x", mine, Reasons.UserVersionStale.Code);
        await AssertRefusedAsync("/api/x", otherClient, Reasons.UserVersionStale.Code);
        await AssertPassesAsync("/api/x", otherUser);
    }

    [Theory]
    [MemberData(nameof(ShapesWithoutLogout))]
    public async Task BackchannelLogout_FromAnIssuerWithoutLogoutAudiences_IsRefused(string name)
    {
        var shape = ProviderShapes.Named(name);
        var sub = shape.NewSubject();
        var token = fixture.Mint(shape, Request(shape, sub, iat: Now - 2));

        using var response = await PostLogoutAsync(shape, sub, sid: null, audience: shape.ClientId);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("LogoutAudiences", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertPassesAsync("/api/x", token);
    }

    [Fact]
    public async Task Cognito_WithoutAud_PassesOnlyForTheListedClient()
    {
        var shape = ProviderShapes.Cognito;
        var sub = shape.NewSubject();
        await AssertPassesAsync("/api/x", fixture.Mint(shape, Request(shape, sub)));

        await AssertRefusedAsync("/api/x", fixture.Mint(shape, Request(shape, sub, client: "7h6g5f4d3s2a1q0w9e8r7t6y5u")), Reasons.InvalidAudience.Code);
        await AssertRefusedAsync("/api/x", fixture.Mint(shape, Request(shape, sub), p => p.Remove("client_id")), Reasons.InvalidAudience.Code);
    }

    [Fact]
    public async Task Cognito_IdToken_IsRefused()
    {
        // A Cognito ID token carries aud = the app client id: Audiences must never list the client id, or it would pass.
        var shape = ProviderShapes.Cognito;
        var token = fixture.Mint(shape, Request(shape, shape.NewSubject()), p =>
        {
            p.Remove("client_id");
            p.Remove("scope");
            p["aud"] = ProviderShapes.CognitoClient;
            p["token_use"] = "id";
            p["cognito:username"] = p["username"]!.DeepClone();
            p.Remove("username");
            p["email"] = "alice@example.com";
        });

        await AssertRefusedAsync("/api/x", token, Reasons.InvalidAudience.Code);
    }

    [Fact]
    public async Task Keycloak_WithoutAnAudienceMapper_IsRefused()
    {
        // Without an audience mapper a Keycloak access token is addressed to "account" only: every client of the realm gets one.
        var shape = ProviderShapes.Keycloak;
        var token = fixture.Mint(shape, Request(shape, shape.NewSubject()), p => p["aud"] = "account");

        await AssertRefusedAsync("/api/x", token, Reasons.InvalidAudience.Code);
    }

    [Fact]
    public async Task Entra_RevokeUser_ByObjectId_KillsV1AndV2TokensSeparately()
    {
        // Entra v1 and v2 are two issuers: one user's object id at each is a separate state.
        var oid = Guid.NewGuid().ToString();
        var v1 = fixture.Mint(ProviderShapes.EntraV1, Request(ProviderShapes.EntraV1, oid, iat: Now - 2));
        var v2 = fixture.Mint(ProviderShapes.EntraV2, Request(ProviderShapes.EntraV2, oid, iat: Now - 2));

        await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = ProviderShapes.EntraV1Issuer, sub = oid });

        await AssertRefusedAsync("/api/x", v1, Reasons.UserVersionStale.Code);
        await AssertPassesAsync("/api/x", v2);
    }

    private Task<HttpResponseMessage> PostLogoutAsync(ProviderShape shape, string sub, string? sid, string? audience = null)
    {
        var now = Now;
        var payload = new JsonObject
        {
            ["iss"] = shape.Issuer,
            ["aud"] = audience ?? shape.LogoutClient,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString(),
            ["sub"] = sub,
            ["events"] = new JsonObject { ["http://schemas.openid.net/event/backchannel-logout"] = new JsonObject() },
        };
        if (sid is not null)
        {
            payload["sid"] = sid;
        }

        var key = fixture.KeyOf(shape);
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "logout+jwt", ["kid"] = key.Kid };
        var token = TokenFactory.Sign(header.ToJsonString(), payload.ToJsonString(), key);
        return fixture.Gateway.PublicClient.PostAsync("/backchannel-logout", new FormUrlEncodedContent([new("logout_token", token)]));
    }
}
