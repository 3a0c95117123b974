using System.Net;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>A gateway with a route per session policy: <c>/newest</c>, <c>/newest-login</c>, <c>/first-login</c>.</summary>
public sealed class PolicyGateway : SessionGateway
{
    protected override void Configure(GatewayConfig config) => config
        .AddRoute("newest", "/newest/{**rest}", metadata: new Dictionary<string, string> { ["NewestTokenWins"] = "true" })
        .AddRoute("newest-login", "/newest-login/{**rest}", metadata: new Dictionary<string, string> { ["SingleSessionPolicy"] = "NewestLogin" })
        .AddRoute("first-login", "/first-login/{**rest}", metadata: new Dictionary<string, string> { ["SingleSessionPolicy"] = "FirstLogin" })
        .Set("Gateway:Sessions:TokenReplacedGrace", "00:00:05");
}

/// <summary>Session policies the gateway applies without an admin call (README, "Session policies").</summary>
public sealed class SessionPolicyTests(PolicyGateway fixture) : IClassFixture<PolicyGateway>
{
    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    private static Dictionary<string, object?> AuthTime(TimeSpan ago) =>
        new() { ["auth_time"] = DateTimeOffset.UtcNow.Add(-ago).ToUnixTimeSeconds() };

    private async Task AllowedAsync(string path, string token)
    {
        using var response = await fixture.Gateway.GetAsync(path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task RefusedAsync(string path, string token, string reason)
    {
        using var response = await fixture.Gateway.GetAsync(path, token);
        await Refusals.AssertInvalidTokenAsync(response, reason);
    }

    [Fact]
    public async Task NewestTokenWins_OlderTokenOfTheSessionIsRefusedOutsideTheGrace()
    {
        var sub = NewUser();
        var old = fixture.Token(sub, sid: "s1", iat: TimeSpan.FromMinutes(-2));
        var withinGrace = fixture.Token(sub, sid: "s1", iat: TimeSpan.FromSeconds(-3));
        var refreshed = fixture.Token(sub, sid: "s1");
        await AllowedAsync("/newest/a", old);

        await AllowedAsync("/newest/b", refreshed);
        await SessionInventoryTests.DrainAsync(fixture.Gateway);

        await RefusedAsync("/newest/c", old, "token_replaced");
        await AllowedAsync("/newest/d", withinGrace);
        await AllowedAsync("/newest/e", refreshed);
        // Other sessions and other routes are unaffected.
        await AllowedAsync("/newest/f", fixture.Token(sub, sid: "s2", iat: TimeSpan.FromMinutes(-2)));
        await AllowedAsync("/api/g", old);
    }

    [Fact]
    public async Task NewestLogin_ANewerLoginTakesOver_TheOlderGetsSessionNotActive()
    {
        var sub = NewUser();
        var laptop = fixture.Token(sub, sid: "laptop", claims: AuthTime(TimeSpan.FromHours(2)));
        var phone = fixture.Token(sub, sid: "phone", claims: AuthTime(TimeSpan.FromMinutes(1)));
        await AllowedAsync("/newest-login/a", laptop);
        await AllowedAsync("/newest-login/b", phone);

        await RefusedAsync("/newest-login/c", laptop, "session_not_active");
        await AllowedAsync("/newest-login/d", phone);
        // A login older than the leader's never takes over, even when seen later.
        await RefusedAsync("/newest-login/e", fixture.Token(sub, sid: "tablet", claims: AuthTime(TimeSpan.FromHours(1))), "session_not_active");
        await AllowedAsync("/api/f", laptop);
    }

    [Fact]
    public async Task FirstLogin_OthersWaitUntilTheFirstSessionIsRevoked()
    {
        var sub = NewUser();
        var first = fixture.Token(sub, sid: "first");
        var second = fixture.Token(sub, sid: "second", claims: AuthTime(TimeSpan.Zero));
        await AllowedAsync("/first-login/a", first);
        await RefusedAsync("/first-login/b", second, "session_not_active");

        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "first" });

        await AllowedAsync("/first-login/c", second);
        await RefusedAsync("/first-login/d", fixture.Token(sub, sid: "third"), "session_not_active");
    }

    [Fact]
    public async Task InventoryListsTheSessionNotActive()
    {
        var sub = NewUser();
        await AllowedAsync("/first-login/a", fixture.Token(sub, sid: "holder"));
        await AllowedAsync("/api/b", fixture.Token(sub, sid: "waiting"));
        await SessionInventoryTests.DrainAsync(fixture.Gateway);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/users?sub={sub}");
        request.RequestUri = new Uri($"/admin/users/{sub}/sessions", UriKind.Relative);
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var states = json["sessions"]!.AsArray().ToDictionary(s => s!["sid"]!.GetValue<string>(), s => s!["state"]!.GetValue<string>());
        Assert.Equal("live", states["holder"]);
        Assert.Equal("not_active", states["waiting"]);
    }
}
