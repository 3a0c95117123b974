using System.Net;
using System.Text.Json.Nodes;
using Gateway.Sessions;
using Gateway.Sessions.Embedded;
using Gateway.Sessions.Inventory;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>The per-user session inventory: recorded from the hot path, listed and revoked through the admin API.</summary>
public sealed class SessionInventoryTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    internal static async Task DrainAsync(GatewayHost gateway)
    {
        var inventory = gateway.Services.GetRequiredService<SessionInventory>();
        for (var i = 0; i < 200 && inventory.Pending > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, inventory.Pending);
    }

    private async Task<JsonArray> ListAsync(string sub)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/users/{sub}/sessions");
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["sessions"]!.AsArray();
    }

    [Fact]
    public async Task SessionsSeen_AreListedNewestFirst_WithClientHintsAndState()
    {
        var sub = NewUser();
        using (var response = await fixture.Gateway.GetAsync("/api/a", fixture.Token(sub, sid: "laptop", claims: new Dictionary<string, object?> { ["client_id"] = "web" })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await DrainAsync(fixture.Gateway);
        await Task.Delay(1100);
        using (var response = await fixture.Gateway.GetAsync("/api/b", fixture.Token(sub, sid: "phone")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await DrainAsync(fixture.Gateway);
        var sessions = await ListAsync(sub);
        Assert.Equal(2, sessions.Count);
        Assert.Equal("phone", sessions[0]!["sid"]!.GetValue<string>());
        Assert.Equal("laptop", sessions[1]!["sid"]!.GetValue<string>());
        Assert.Equal("web", sessions[1]!["client"]!.GetValue<string>());
        Assert.Equal("127.0.0.0/24", sessions[1]!["network"]!.GetValue<string>());
        Assert.All(sessions, s => Assert.Equal("live", s!["state"]!.GetValue<string>()));
        Assert.Equal(0, sessions[0]!["lastSeen"]!.GetValue<long>() % 60);

        // The query form, for a sub that does not fit in a path segment.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/sessions?sub={sub}&iss={Uri.EscapeDataString(TokenFactory.Issuer)}");
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var byQuery = await fixture.Gateway.AdminClient.SendAsync(request);
        Assert.Equal(2, JsonNode.Parse(await byQuery.Content.ReadAsStringAsync())!["sessions"]!.AsArray().Count);
    }

    [Fact]
    public async Task RevokeAllButOne_EndsEveryOtherSessionSeen()
    {
        var sub = NewUser();
        var keep = fixture.Token(sub, sid: "keep");
        var other = fixture.Token(sub, sid: "other");
        foreach (var token in new[] { keep, other })
        {
            using var response = await fixture.Gateway.GetAsync("/api/x", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await DrainAsync(fixture.Gateway);
        var answer = await fixture.AdminJsonAsync("/admin/revoke/sessions-except", new { sub, sid = "keep" });
        Assert.Equal("other", Assert.Single(answer["revoked"]!.AsArray())!.GetValue<string>());

        using (var refused = await fixture.Gateway.GetAsync("/api/x", other))
        {
            await Refusals.AssertInvalidTokenAsync(refused, "session_revoked");
        }

        using (var allowed = await fixture.Gateway.GetAsync("/api/x", keep))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var states = (await ListAsync(sub)).ToDictionary(s => s!["sid"]!.GetValue<string>(), s => s!["state"]!.GetValue<string>());
        Assert.Equal("live", states["keep"]);
        Assert.Equal("revoked", states["other"]);
    }

    [Fact]
    public async Task EmbeddedStore_BoundsSessionsPerUser_DroppingTheLeastRecentlySeen()
    {
        var options = Options.Create(new SessionOptions { Inventory = { MaxSessionsPerUser = 3 } });
        using var store = new EmbeddedSessionStore(TimeProvider.System, new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions())), new RevocationNotifier(), options);
        var user = new UserKey("https://issuer.test", "bob");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60;
        for (var i = 0; i < 5; i++)
        {
            await store.RecordSessionSeenAsync(user, new SessionSighting("s" + i, null, now + (i * 60), now, null, null, null), TimeSpan.FromMinutes(30), default);
        }

        var sessions = await store.ListSessionsAsync(user, default);
        Assert.Equal(["s4", "s3", "s2"], sessions.Select(s => s.Sid));
        Assert.Equal(3, store.SeenCount);
    }

    [Fact]
    public async Task FirstLoginLease_IsRenewedByTheLeadersSightings_AndFreesWhenIdle()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = new EmbeddedSessionStore(time, new DenylistLifetime(time, Options.Create(new TokenOptions())), new RevocationNotifier(), Options.Create(new SessionOptions()));
        var user = new UserKey("https://issuer.test", "carol");
        var idle = TimeSpan.FromMinutes(2);
        long Now() => time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal("first", (await store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("first", Now()), idle, default)).Sid);

        // Seen again within the idle timeout: the lease moves on, and the other session still waits.
        time.Advance(TimeSpan.FromSeconds(90));
        await store.RecordSessionSeenAsync(user, new SessionSighting("first", null, Now() / 60 * 60, Now(), null, null, null), idle, default);
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal("first", (await store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("second", Now()), idle, default)).Sid);

        // Idle past the timeout: the lease is free for the next session.
        time.Advance(TimeSpan.FromSeconds(121));
        Assert.Null((await store.ReadAsync(user, null, null, null, default)).FirstLead);
        Assert.Equal("second", (await store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("second", Now()), idle, default)).Sid);
    }

    [Fact]
    public void Hints_AreCoarse()
    {
        Assert.Equal("Firefox on Linux", ClientHints.Agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"));
        Assert.Equal("Chrome on Windows", ClientHints.Agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"));
        Assert.Equal("203.0.113.0/24", ClientHints.Address(IPAddress.Parse("203.0.113.77")));
        Assert.Equal("2001:db8:aa::/48", ClientHints.Address(IPAddress.Parse("2001:db8:aa:bb::1")));
    }
}
