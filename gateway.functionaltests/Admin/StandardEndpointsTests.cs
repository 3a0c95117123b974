using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Admin;

/// <summary>RFC 7009 revocation and RFC 7662 introspection on the admin listener, agreeing with the JSON admin API.</summary>
public sealed class StandardEndpointsTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    private static AuthenticationHeaderValue Basic(string user, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + secret)));

    private async Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form, AuthenticationHeaderValue? auth)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = auth;
        return await fixture.Gateway.AdminClient.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostTokenAsync(string path, string token, AuthenticationHeaderValue? auth = null) =>
        PostFormAsync(path, [new("token", token)], auth ?? Basic("any-client", SessionGateway.ApiKey));

    private async Task<JsonObject> IntrospectAsync(string token, AuthenticationHeaderValue? auth = null)
    {
        using var response = await PostTokenAsync("/oauth2/introspect", token, auth);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Introspect_ActiveToken_HasTheRfc7662Members()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, sid: "s1", jti: "j1", claims: new Dictionary<string, object?> { ["client_id"] = "app", ["scope"] = "read write" });
        var answer = await IntrospectAsync(token);
        Assert.True(answer["active"]!.GetValue<bool>());
        Assert.Equal(sub, answer["sub"]!.GetValue<string>());
        Assert.Equal(TokenFactory.Issuer, answer["iss"]!.GetValue<string>());
        Assert.Equal(TokenFactory.Audience, answer["aud"]!.GetValue<string>());
        Assert.Equal("app", answer["client_id"]!.GetValue<string>());
        Assert.Equal("read write", answer["scope"]!.GetValue<string>());
        Assert.Equal("j1", answer["jti"]!.GetValue<string>());
        Assert.Equal("Bearer", answer["token_type"]!.GetValue<string>());
        Assert.True(answer["exp"]!.GetValue<long>() > answer["iat"]!.GetValue<long>());
        Assert.Null(answer["gateway_reason"]);
    }

    [Fact]
    public async Task Introspect_InactiveToken_IsOnlyActiveFalse_PlusTheGatewayReason()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, sid: "s1");
        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "s1" });
        var answer = await IntrospectAsync(token);
        Assert.Equal(["active", "gateway_reason"], answer.Select(p => p.Key).Order());
        Assert.False(answer["active"]!.GetValue<bool>());
        Assert.Equal("session_revoked", answer["gateway_reason"]!.GetValue<string>());

        var garbage = await IntrospectAsync("a.b.c");
        Assert.False(garbage["active"]!.GetValue<bool>());
        Assert.Equal("malformed_token", garbage["gateway_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Introspect_AgreesWithTheJsonAdminApi()
    {
        var sub = NewUser();
        var live = fixture.Token(sub, jti: "a1");
        var dead = fixture.Token(sub, jti: "a2");
        await fixture.AdminJsonAsync("/admin/revoke/token", new { token = dead });
        foreach (var token in new[] { live, dead, "not-a-token" })
        {
            var standard = await IntrospectAsync(token);
            var admin = await fixture.AdminJsonAsync("/admin/introspect", new { token });
            Assert.Equal(admin["active"]!.GetValue<bool>(), standard["active"]!.GetValue<bool>());
            Assert.Equal(admin["reason"]?.GetValue<string>(), standard["gateway_reason"]?.GetValue<string>());
        }
    }

    [Fact]
    public async Task Revoke_DenylistsTheToken_AndTheGatewayRefusesIt()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, jti: "r1");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/api/x", token)).StatusCode);
        using (var response = await PostFormAsync("/oauth2/revoke", [new("token", token), new("token_type_hint", "access_token")], Basic("c", SessionGateway.ApiKey)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var refused = await fixture.Gateway.GetAsync("/api/x", token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("token_revoked", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var admin = await fixture.AdminJsonAsync("/admin/introspect", new { token });
        Assert.Equal("token_revoked", admin["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("a.b.c")]
    [InlineData("opaque-refresh-token")]
    public async Task Revoke_UnknownOrInvalidToken_Answers200(string token)
    {
        using var response = await PostTokenAsync("/oauth2/revoke", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Revoke_ForgedToken_Answers200AndWritesNothing()
    {
        var sub = NewUser();
        using var impostor = fixture.Key.Impostor();
        var forged = TokenFactory.Mint(impostor, sub: sub, jti: "forged", kid: fixture.Key.Kid);
        using var response = await PostTokenAsync("/oauth2/revoke", forged);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("$-1", await fixture.Redis.ExecuteAsync("GET", $"gw:{{{TokenFactory.Issuer}|{sub}}}:jti:forged"));
    }

    [Theory]
    [InlineData("/oauth2/revoke")]
    [InlineData("/oauth2/introspect")]
    public async Task MissingToken_Answers400InvalidRequest(string path)
    {
        using var response = await PostFormAsync(path, [new("token_type_hint", "access_token")], Basic("c", SessionGateway.ApiKey));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/oauth2/revoke")]
    [InlineData("/oauth2/introspect")]
    public async Task WithoutAValidKey_Answers401WithChallenges(string path)
    {
        foreach (var auth in new AuthenticationHeaderValue?[] { null, Basic("c", "wrong"), new("Bearer", "wrong"), new("Basic", "!!!") })
        {
            using var response = await PostTokenAsync(path, fixture.Token(NewUser()), auth ?? new AuthenticationHeaderValue("Basic", ""));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var schemes = response.Headers.WwwAuthenticate.Select(h => h.Scheme).ToList();
            Assert.Contains("Basic", schemes);
            Assert.Contains("Bearer", schemes);
            Assert.Equal("invalid_client", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task AcceptsBearerKey_AndBasicWithTheKeyIdAsClientId()
    {
        var token = fixture.Token(NewUser());
        Assert.True((await IntrospectAsync(token, new AuthenticationHeaderValue("Bearer", SessionGateway.ApiKey)))["active"]!.GetValue<bool>());
        var keyId = global::Gateway.Admin.ApiKeyVerifier.KeyId(SessionGateway.ApiKey);
        Assert.True((await IntrospectAsync(token, Basic(keyId, SessionGateway.ApiKey)))["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task JsonBody_Answers400_AndOversizedForm_Answers413()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/introspect") { Content = new StringContent("{\"token\":\"x\"}", Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = Basic("c", SessionGateway.ApiKey);
            using var response = await fixture.Gateway.AdminClient.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using var big = await PostTokenAsync("/oauth2/introspect", new string('a', 20_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task StandardEndpoints_AreNotOnThePublicListener()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/introspect") { Content = new FormUrlEncodedContent([new("token", "x")]) };
        request.Headers.Authorization = Basic("c", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.PublicClient.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }
}
