using Gateway.Gate.Refusals;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>
/// DESIGN.md's problem table, one user story per row, end to end: real redis-server, real gateway, real backend.
/// Every refusal also asserts that the backend never saw the request.
/// </summary>
public sealed class SessionLifecycleTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private GatewayHost Gateway => fixture.Gateway;

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    private async Task AssertAllowedAsync(string path, string token)
    {
        using var response = await Gateway.GetAsync(path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertRefusedAsync(string path, string token, string reason)
    {
        var marker = "/" + Guid.NewGuid().ToString("N");
        using var response = await Gateway.GetAsync(path + marker, token);
        await Refusals.AssertInvalidTokenAsync(response, reason);
        Assert.DoesNotContain(fixture.Backend.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogoutOnOneDevice_OtherDeviceKeepsWorking()
    {
        var sub = NewUser();
        var phone = fixture.Token(sub, sid: "phone");
        var laptop = fixture.Token(sub, sid: "laptop");
        await AssertAllowedAsync("/api/me", phone);
        await AssertAllowedAsync("/api/me", laptop);

        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "phone" });

        await AssertRefusedAsync("/api/me", phone, "session_revoked");
        await AssertAllowedAsync("/api/me", laptop);
        // A new token of the revoked session is dead too: session ids are never reused.
        await AssertRefusedAsync("/api/me", fixture.Token(sub, sid: "phone"), "session_revoked");
    }

    [Fact]
    public async Task Refresh_PreviousAccessTokenDies()
    {
        var sub = NewUser();
        var first = fixture.Token(sub, sid: "s1", jti: "access-1");
        await AssertAllowedAsync("/api/orders", first);

        // The token service refreshes: it issues access-2 and revokes access-1 by presenting it.
        var second = fixture.Token(sub, sid: "s1", jti: "access-2");
        var answer = await fixture.AdminJsonAsync("/admin/revoke/token", new { token = first });
        Assert.Equal("access-1", answer["jti"]!.GetValue<string>());

        await AssertRefusedAsync("/api/orders", first, "token_revoked");
        await AssertAllowedAsync("/api/orders", second);
    }

    [Fact]
    public async Task RevokeTokenByIds_DeniesUntilExp()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, jti: "by-id");
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        await fixture.AdminJsonAsync("/admin/revoke/token", new { sub, jti = "by-id", exp });
        await AssertRefusedAsync("/api/x", token, "token_revoked");
    }

    [Fact]
    public async Task PasswordChange_KillsEveryDevice_NewLoginWithVersionWorks()
    {
        var sub = NewUser();
        var devices = new[] { fixture.Token(sub, sid: "a", iat: TimeSpan.FromSeconds(-2)), fixture.Token(sub, sid: "b", iat: TimeSpan.FromSeconds(-2)) };
        var versioned = fixture.Token(sub, sid: "c", ver: 0);
        foreach (var token in devices)
        {
            await AssertAllowedAsync("/api/x", token);
        }

        var answer = await fixture.AdminJsonAsync("/admin/revoke/user", new { sub });
        var version = answer["version"]!.GetValue<long>();
        Assert.Equal(1, version);

        foreach (var token in devices)
        {
            await AssertRefusedAsync("/api/x", token, "user_version_stale");
        }

        await AssertRefusedAsync("/api/x", versioned, "user_version_stale");
        // A token minted in the same second as the cut-off dies too (no ver claim: judged by iat).
        var cutoff = answer["cutoff"]!.GetValue<long>();
        await AssertRefusedAsync("/api/x", fixture.Token(sub, sid: "d", claims: new Dictionary<string, object?> { ["iat"] = cutoff }), "user_version_stale");
        // The auth service puts the returned version into new tokens.
        await AssertAllowedAsync("/api/x", fixture.Token(sub, sid: "e", ver: version));
    }

    [Fact]
    public async Task SingleSession_NewLoginKillsOlderOne_OnlyOnSingleSessionRoutes()
    {
        var sub = NewUser();
        var older = fixture.Token(sub, sid: "first");
        // Until activate is called, every session passes.
        await AssertAllowedAsync("/single/x", older);

        var newer = fixture.Token(sub, sid: "second");
        await fixture.AdminJsonAsync("/admin/sessions/activate", new { sub, sid = "second" });

        await AssertRefusedAsync("/single/x", older, "session_not_active");
        await AssertAllowedAsync("/single/x", newer);
        // Other routes are unaffected.
        await AssertAllowedAsync("/api/x", older);

        var user = await Gateway.AdminClient.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/admin/users/{sub}") { Headers = { { "X-Api-Key", SessionGateway.ApiKey } } });
        var state = JsonNode.Parse(await user.Content.ReadAsStringAsync())!;
        Assert.Equal("second", state["activeSession"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThreeUseToken_FourthUseRefused()
    {
        var token = fixture.Token(NewUser(), jti: Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 3; i++)
        {
            await AssertAllowedAsync("/limited/x", token);
        }

        await AssertRefusedAsync("/limited/x", token, "use_limit_reached");
        // The count is per route policy: the same token still works where no limit applies.
        await AssertAllowedAsync("/api/x", token);
    }

    [Fact]
    public async Task StepUpRoute_ChallengesOldLogin()
    {
        var sub = NewUser();
        var oldLogin = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        var token = fixture.Token(sub, claims: new Dictionary<string, object?> { ["auth_time"] = oldLogin });
        await AssertAllowedAsync("/api/x", token);

        var marker = "/" + Guid.NewGuid().ToString("N");
        using var response = await Gateway.GetAsync("/stepup/transfer" + marker, token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("max_age=300", challenge.Parameter, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Backend.Requests, r => r.PathAndQuery.Contains(marker, StringComparison.Ordinal));

        var fresh = fixture.Token(sub, claims: new Dictionary<string, object?> { ["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
        await AssertAllowedAsync("/stepup/transfer", fresh);
    }

    [Fact]
    public async Task RateSpike_RevokesTheTokenAndRecordsWhy()
    {
        var sub = NewUser();
        var jti = Guid.NewGuid().ToString("N");
        var token = fixture.Token(sub, jti: jti);
        for (var i = 0; i < SessionGateway.SpikeThreshold; i++)
        {
            await AssertAllowedAsync("/api/poll", token);
        }

        await AssertRefusedAsync("/api/poll", token, "token_revoked");
        await AssertRefusedAsync("/api/poll", token, "token_revoked");
        Assert.Equal("rate_spike", await fixture.Redis.ExecuteAsync("GET", $"gw:{{{TokenFactory.Issuer}|{sub}}}:jti:{jti}"));
        Assert.Contains(Gateway.Logs.Entries, e => e.Message.Contains("rate_spike", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DenylistKeys_AllCarryATtl()
    {
        var sub = NewUser();
        var token = fixture.Token(sub, sid: "ttl-s", jti: "ttl-j");
        await fixture.AdminJsonAsync("/admin/revoke/token", new { token });
        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "ttl-s2" });
        await fixture.AdminJsonAsync("/admin/revoke/session", new { sub, sid = "ttl-s3", exp = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds() });
        await fixture.AdminJsonAsync("/admin/sessions/activate", new { sub, sid = "ttl-s4" });
        var limited = fixture.Token(sub, jti: "ttl-uses");
        await AssertAllowedAsync("/limited/x", limited);

        foreach (var (key, max) in new[]
                 {
                     ($"gw:{{{TokenFactory.Issuer}|{sub}}}:jti:ttl-j", 5 * 60 + 31 + 1),
                     ($"gw:{{{TokenFactory.Issuer}|{sub}}}:sid:ttl-s2", 30 * 24 * 3600 + 31 + 1),
                     ($"gw:{{{TokenFactory.Issuer}|{sub}}}:sid:ttl-s3", 2 * 60 + 31 + 1),
                     ($"gw:{{{TokenFactory.Issuer}|{sub}}}:active", 30 * 24 * 3600),
                     ($"gw:{{{TokenFactory.Issuer}|{sub}}}:uses:limited:ttl-uses", 5 * 60 + 31 + 1),
                 })
        {
            var ttl = long.Parse((await fixture.Redis.ExecuteAsync("TTL", key)).TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(ttl > 0 && ttl <= max, $"{key} has TTL {ttl}, expected 0 < ttl <= {max}");
        }
    }
}
