using Gateway.Gate.Refusals;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Logout;

/// <summary>OpenID Connect Back-Channel Logout through the public listener, against a real redis-server.</summary>
public sealed class BackchannelLogoutTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    private string LogoutToken(string? sub, string? sid, Action<JsonObject>? edit = null, string? typ = "logout+jwt")
    {
        var payload = TokenFactory.Claims(sub ?? "ignored");
        if (sub is null)
        {
            payload.Remove("sub");
        }

        if (sid is not null)
        {
            payload["sid"] = sid;
        }

        payload.Remove("nbf");
        payload["aud"] = TokenFactory.LogoutClient;
        payload["events"] = new JsonObject { [LogoutEvent] = new JsonObject() };
        edit?.Invoke(payload);
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = fixture.Key.Kid };
        if (typ is not null)
        {
            header["typ"] = typ;
        }

        return TokenFactory.Sign(header.ToJsonString(), payload.ToJsonString(), fixture.Key);
    }

    private Task<HttpResponseMessage> PostAsync(string logoutToken) =>
        fixture.Gateway.PublicClient.PostAsync("/backchannel-logout", new FormUrlEncodedContent([new("logout_token", logoutToken)]));

    [Fact]
    public async Task LogoutToken_WithSid_RevokesThatSessionOnly()
    {
        var sub = NewUser();
        var browser = fixture.Token(sub, sid: "browser");
        var mobile = fixture.Token(sub, sid: "mobile");

        using var response = await PostAsync(LogoutToken(sub, "browser"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/api/x", browser), "session_revoked");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/api/x", mobile)).StatusCode);
    }

    [Fact]
    public async Task LogoutToken_WithOnlySub_RevokesTheUser()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, sid: "any", iat: TimeSpan.FromSeconds(-5));
        using var response = await PostAsync(LogoutToken(sub, null));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/api/x", token), "user_version_stale");
    }

    [Fact]
    public async Task LogoutToken_Replayed_IsRefused()
    {
        var token = LogoutToken(NewUser(), "s1");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(token)).StatusCode);
        using var replay = await PostAsync(token);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("replayed", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "sid only, no sub", "sub" },
        { "no events", "events" },
        { "wrong event", "event" },
        { "nonce present", "nonce" },
        { "no jti", "jti" },
        { "iat too old", "iat" },
        { "wrong typ", "typ" },
        { "wrong audience", "refused" },
        { "bad signature", "refused" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task LogoutToken_Invalid_Answers400AndRevokesNothing(string name, string expectedInDescription)
    {
        var sub = NewUser();
        var access = fixture.Token(sub, sid: "s1");
        var token = name switch
        {
            "sid only, no sub" => LogoutToken(null, "s1"),
            "no events" => LogoutToken(sub, "s1", p => p.Remove("events")),
            "wrong event" => LogoutToken(sub, "s1", p => p["events"] = new JsonObject { ["urn:other"] = new JsonObject() }),
            "nonce present" => LogoutToken(sub, "s1", p => p["nonce"] = "n"),
            "no jti" => LogoutToken(sub, "s1", p => p.Remove("jti")),
            "iat too old" => LogoutToken(sub, "s1", p => p["iat"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds()),
            "wrong typ" => LogoutToken(sub, "s1", typ: "at+jwt"),
            "wrong audience" => LogoutToken(sub, "s1", p => p["aud"] = "someone-else"),
            "bad signature" => LogoutToken(sub, "s1")[..^4] + "AAAA",
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        using var response = await PostAsync(token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("invalid_request", body["error"]!.GetValue<string>());
        Assert.Contains(expectedInDescription, body["error_description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/api/x", access)).StatusCode);
    }

    [Fact]
    public async Task LogoutToken_UsedAsAccessToken_IsRefused()
    {
        using var response = await fixture.Gateway.GetAsync("/api/x", LogoutToken(NewUser(), "s1", typ: null));
        await Refusals.AssertInvalidTokenAsync(response, "invalid_token_type");
    }

    [Fact]
    public async Task Request_WithoutForm_Answers400()
    {
        using var json = await fixture.Gateway.PublicClient.PostAsync("/backchannel-logout", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        using var empty = await fixture.Gateway.PublicClient.PostAsync("/backchannel-logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Endpoint_IsNotServedOnTheAdminListener()
    {
        using var response = await fixture.Gateway.AdminClient.PostAsync("/backchannel-logout", new FormUrlEncodedContent([new("logout_token", "x")]));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
