using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Admin;

/// <summary>The admin API's contract: keys, problem+json errors naming the field, listener separation, audit lines.</summary>
public sealed class AdminApiTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    public static TheoryData<string?> BadKeys() => new() { null, "", "wrong-key-0123456789", SessionGateway.ApiKey + "x", SessionGateway.ApiKey[..^1] };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public async Task AnyCall_WithoutAValidKey_Answers401AndWritesNothing(string? key)
    {
        var sub = NewUser();
        using var response = await fixture.AdminPostAsync("/admin/revoke/user", new { sub }, key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/api/x", fixture.Token(sub, iat: TimeSpan.FromSeconds(-5)))).StatusCode);
    }

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { "/admin/revoke/session", """{"sid":"s1"}""", "sub" },
        { "/admin/revoke/session", """{"sub":"u","sid":7}""", "sid" },
        { "/admin/revoke/session", """{"sub":"u","sid":"s","exp":"1700000000"}""", "exp" },
        { "/admin/revoke/session", """{"sub":"u","sid":"s","exp":1.5}""", "exp" },
        { "/admin/revoke/token", """{"sub":"u","jti":"j"}""", "exp" },
        { "/admin/revoke/token", """{"sub":"u","exp":1700000000}""", "jti" },
        { "/admin/revoke/token", """{"token":"not-a-jwt"}""", "token" },
        { "/admin/revoke/token", """{"token":5}""", "token" },
        { "/admin/revoke/user", """{"sub":""}""", "sub" },
        { "/admin/revoke/user", """{"sub":"a\u0000b"}""", "sub" },
        { "/admin/revoke/user", """[1,2]""", "body" },
        { "/admin/revoke/user", """{"sub":""", "body" },
        { "/admin/sessions/activate", """{"sub":"u"}""", "sid" },
        { "/admin/introspect", """{}""", "token" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBody_Answers400NamingTheField(string path, string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, problem["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task RevokeToken_WithForgedToken_IsRefusedBeforeAnyWrite()
    {
        var sub = NewUser();
        using var impostor = fixture.Key.Impostor();
        var forged = TokenFactory.Mint(impostor, sub: sub, jti: "forged", kid: fixture.Key.Kid);
        using var response = await fixture.AdminPostAsync("/admin/revoke/token", new { token = forged });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("$-1", await fixture.Redis.ExecuteAsync("GET", $"gw:{{{TokenFactory.Issuer}|{sub}}}:jti:forged"));
    }

    [Fact]
    public async Task WrongContentType_Answers415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/revoke/user") { Content = new StringContent("sub=x", Encoding.UTF8, "text/plain") };
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task OversizedBody_Answers413()
    {
        var big = new string('a', 20_000);
        using var response = await fixture.AdminPostAsync("/admin/revoke/user", new { sub = "u", padding = big });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task RevokeUser_BumpsVersionAtomically_UnderConcurrency()
    {
        var sub = NewUser();
        var versions = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            (await fixture.AdminJsonAsync("/admin/revoke/user", new { sub }))["version"]!.GetValue<long>()));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), versions.Order());
    }

    [Fact]
    public async Task Introspect_AnswersAsTheGatewayWouldDecideNow()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, sid: "s1", jti: "intro");
        var live = await fixture.AdminJsonAsync("/admin/introspect", new { token });
        Assert.True(live["active"]!.GetValue<bool>());
        Assert.Equal(sub, live["sub"]!.GetValue<string>());

        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "s1" });
        var dead = await fixture.AdminJsonAsync("/admin/introspect", new { token });
        Assert.False(dead["active"]!.GetValue<bool>());
        Assert.Equal("session_revoked", dead["reason"]!.GetValue<string>());

        var garbage = await fixture.AdminJsonAsync("/admin/introspect", new { token = "a.b.c" });
        Assert.False(garbage["active"]!.GetValue<bool>());
        Assert.Equal("malformed_token", garbage["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetUser_ShowsVersionCutoffAndActiveSession()
    {
        var sub = NewUser();
        await fixture.AdminJsonAsync("/admin/revoke/user", new { sub });
        await fixture.AdminJsonAsync("/admin/sessions/activate", new { sub, sid = "only" });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/users/{sub}");
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var user = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(1, user["version"]!.GetValue<long>());
        Assert.True(user["cutoff"]!.GetValue<long>() > 0);
        Assert.Equal("only", user["activeSession"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdminApi_IsNotOnThePublicListener_AndTheProxyIsNotOnTheAdminListener()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/revoke/user") { Content = JsonContent.Create(new { sub = "u" }) };
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        // Even with a Host header naming the admin port.
        request.Headers.Host = fixture.Gateway.AdminUrl.Authority;
        using var onPublic = await fixture.Gateway.PublicClient.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.OK, onPublic.StatusCode);

        var before = fixture.Backend.Requests.Count;
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/public/through-admin");
        using var onAdmin = await fixture.Gateway.AdminClient.SendAsync(proxied);
        Assert.Equal(HttpStatusCode.NotFound, onAdmin.StatusCode);
        Assert.Equal(before, fixture.Backend.Requests.Count);
    }

    [Fact]
    public async Task EveryCall_WritesAnAuditLine_WithKeyIdNotKey()
    {
        var sub = NewUser();
        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "audited" });
        // Ids appear as pseudonyms (README: the log holds no claim value), found again by hashing the value.
        var line = Assert.Single(fixture.Gateway.Logs.Entries, e => e.EventId.Id == 4001 && e.Message.Contains("sub=" + Gateway.Admin.AuditIds.Pseudonym(sub), StringComparison.Ordinal));
        Assert.Contains("revoke_session", line.Message, StringComparison.Ordinal);
        Assert.Contains("sid=" + Gateway.Admin.AuditIds.Pseudonym("audited"), line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sub, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("audited", line.Message, StringComparison.Ordinal);
        Assert.Contains("outcome=ok", line.Message, StringComparison.Ordinal);
        Assert.Contains("key-", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SessionGateway.ApiKey, fixture.Gateway.Logs.AllText(), StringComparison.Ordinal);
    }
}
