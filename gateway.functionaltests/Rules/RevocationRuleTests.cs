using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Rules;

/// <summary>A gateway whose issuer names its tenant in <c>org</c>.</summary>
public sealed class RuleGateway : SessionGateway
{
    protected override void Configure(GatewayConfig config)
    {
        config.Issuer()["TenantClaim"] = "org";
        config.Set("Gateway:Rules:ReconcileInterval", "00:00:01");
    }
}

/// <summary>
/// Revocation rules by claim with issued-before semantics: by client_id, kid, tenant and issuer; tokens issued after
/// <c>before</c> pass; a rule reaches a second instance through Redis; rules expire.
/// </summary>
public sealed class RevocationRuleTests(RuleGateway fixture) : IClassFixture<RuleGateway>
{
    private static readonly TimeSpan PropagationBound = TimeSpan.FromMilliseconds(500);

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private string Token(TimeSpan iat, IReadOnlyDictionary<string, object?>? claims = null) =>
        fixture.Token(NewId("user"), iat: iat, claims: claims);

    private async Task<string?> ReasonAsync(GatewayHost gateway, string token)
    {
        using var response = await gateway.GetAsync("/api/x", token);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return null;
        }

        var challenge = response.Headers.WwwAuthenticate.ToString();
        var start = challenge.IndexOf("error_description=\"", StringComparison.Ordinal);
        return start < 0 ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : challenge[(start + 19)..].Split('"')[0];
    }

    [Fact]
    public async Task RuleByClientId_RefusesThatClientsEarlierTokens_Only()
    {
        var client = NewId("app");
        // Times stay within the last 100 s: the key and issuer rules of the other tests (same gateway) cut earlier.
        var before = Now - 30;
        var old = Token(TimeSpan.FromSeconds(-50), new Dictionary<string, object?> { ["client_id"] = client });
        var newer = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["client_id"] = client });
        var other = Token(TimeSpan.FromSeconds(-50), new Dictionary<string, object?> { ["client_id"] = NewId("other") });
        Assert.Null(await ReasonAsync(fixture.Gateway, old));

        var rule = await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "client_id", value = client, before });
        Assert.Equal(before, rule["before"]!.GetValue<long>());
        Assert.Equal("revoked_by_rule", await ReasonAsync(fixture.Gateway, old));
        Assert.Null(await ReasonAsync(fixture.Gateway, newer));
        Assert.Null(await ReasonAsync(fixture.Gateway, other));

        // Introspection, admin and RFC 7662, names the rule.
        var admin = await fixture.AdminJsonAsync("/admin/introspect", new { token = old });
        Assert.Equal("revoked_by_rule", admin["reason"]!.GetValue<string>());
        Assert.Equal(rule["id"]!.GetValue<string>(), admin["rule"]!.GetValue<string>());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/introspect") { Content = new FormUrlEncodedContent([new("token", old)]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var standard = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(standard["active"]!.GetValue<bool>());
        Assert.Equal("revoked_by_rule", standard["gateway_reason"]!.GetValue<string>());
        Assert.Equal(rule["id"]!.GetValue<string>(), standard["gateway_rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task RuleByKid_KeyCompromise_RefusesEverythingThatKeySignedBeforeTheCut()
    {
        var old = Token(TimeSpan.FromSeconds(-200));
        var fresh = Token(TimeSpan.FromSeconds(-1));
        await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "kid", value = fixture.Key.Kid, before = Now - 100 });
        Assert.Equal("revoked_by_rule", await ReasonAsync(fixture.Gateway, old));
        Assert.Null(await ReasonAsync(fixture.Gateway, fresh));
    }

    [Fact]
    public async Task RuleByTenantClaim_RefusesThatTenantsTokens()
    {
        var org = NewId("org");
        var mine = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["org"] = org });
        var theirs = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["org"] = NewId("org") });
        await fixture.AdminJsonAsync("/admin/revoke/rule", new { iss = TokenFactory.Issuer, claim = "org", value = org });
        Assert.Equal("revoked_by_rule", await ReasonAsync(fixture.Gateway, mine));
        Assert.Null(await ReasonAsync(fixture.Gateway, theirs));
    }

    [Fact]
    public async Task RuleByIssuer_RefusesEveryTokenOfTheIssuerBeforeTheCut()
    {
        var old = Token(TimeSpan.FromSeconds(-280));
        var fresh = Token(TimeSpan.FromSeconds(-1));
        await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "iss", value = TokenFactory.Issuer, before = Now - 250 });
        Assert.Equal("revoked_by_rule", await ReasonAsync(fixture.Gateway, old));
        Assert.Null(await ReasonAsync(fixture.Gateway, fresh));
    }

    [Fact]
    public async Task Rules_Expire()
    {
        var client = NewId("app");
        var token = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["client_id"] = client });
        var rule = await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "client_id", value = client, exp = Now + 2 });
        Assert.Equal("revoked_by_rule", await ReasonAsync(fixture.Gateway, token));
        Assert.Contains(await ListAsync(), r => r!["id"]!.GetValue<string>() == rule["id"]!.GetValue<string>());

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Null(await ReasonAsync(fixture.Gateway, token));
        Assert.DoesNotContain(await ListAsync(), r => r!["id"]!.GetValue<string>() == rule["id"]!.GetValue<string>());

        // The reconcile (every second here) deletes it from the store as well.
        var clock = Stopwatch.StartNew();
        while (await fixture.Redis.ExecuteAsync("HEXISTS", "gw:rules", rule["id"]!.GetValue<string>()) != ":0")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the expired rule is still in gw:rules");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task DefaultLifetime_IsBeforePlusTheIssuersMaxTokenLifetime()
    {
        var before = Now - 10;
        var rule = await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "client_id", value = NewId("app"), before });
        Assert.InRange(rule["until"]!.GetValue<long>() - before, 24 * 3600, 24 * 3600 + 60);
    }

    [Fact]
    public async Task RuleCreatedOnOneInstance_AppliesOnAnother_WithinTheBound_AndAtStart()
    {
        await using var second = await GatewayHost.StartAsync(fixture.CreateConfig());
        var client = NewId("app");
        var token = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["client_id"] = client });
        Assert.Null(await ReasonAsync(second, token));
        Assert.Null(await ReasonAsync(second, token));

        var clock = Stopwatch.StartNew();
        await fixture.AdminJsonAsync("/admin/revoke/rule", new { claim = "client_id", value = client });
        var answered = clock.Elapsed;
        while (await ReasonAsync(second, token) != "revoked_by_rule")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the second instance never applied the rule");
        }

        Assert.True(clock.Elapsed - answered < PropagationBound, $"applied {(clock.Elapsed - answered).TotalMilliseconds:0} ms after the admin answer");

        // A third instance started afterwards loads it from the store.
        await using var third = await GatewayHost.StartAsync(fixture.CreateConfig());
        Assert.Equal("revoked_by_rule", await ReasonAsync(third, token));
    }

    [Fact]
    public async Task InstanceStartedWhileRedisIsDown_LoadsTheRulesOnceRedisAnswers()
    {
        await using var redis = await RedisServer.StartAsync();
        redis.Kill();
        await using var gateway = await GatewayHost.StartAsync(fixture.CreateConfig(redis.ConnectionString));
        await redis.RestartAsync();

        // Another service (or an instance of an older release) wrote the rule straight into gw:rules, announcing nothing.
        var client = NewId("app");
        var now = Now;
        var rule = new JsonObject
        {
            ["id"] = "rule-written-directly", ["iss"] = TokenFactory.Issuer, ["claim"] = "client_id", ["value"] = client,
            ["before"] = now, ["until"] = now + 600, ["created"] = now,
        };
        await redis.ExecuteAsync("HSET", "gw:rules", "rule-written-directly", rule.ToJsonString());
        var token = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["client_id"] = client });
        var clock = Stopwatch.StartNew();
        while (await ReasonAsync(gateway, token) != "revoked_by_rule")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the rule was never loaded");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task EmbeddedStore_EnforcesRulesToo()
    {
        var config = GatewayConfig.Standard(fixture.Jwks.Url, fixture.Backend.Url).WithAdminApiKeys(SessionGateway.ApiKey);
        await using var embedded = await GatewayHost.StartAsync(config);
        var client = NewId("app");
        var token = Token(TimeSpan.FromSeconds(-5), new Dictionary<string, object?> { ["client_id"] = client });
        Assert.Null(await ReasonAsync(embedded, token));
        using var response = await SessionGateway.AdminPostAsync(embedded, "/admin/revoke/rule", new { claim = "client_id", value = client });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("revoked_by_rule", await ReasonAsync(embedded, token));
    }

    public static TheoryData<string, string> BadRules() => new()
    {
        { """{"value":"x"}""", "claim" },
        { """{"claim":"client_id"}""", "value" },
        { """{"claim":"email","value":"x"}""", "claim" },
        { """{"claim":"client_id","value":"x","before":"1700000000"}""", "before" },
        { """{"claim":"client_id","value":"x","before":99999999999}""", "before" },
        { """{"claim":"client_id","value":"x","before":1000}""", "before" },
        { """{"claim":"iss","value":"https://other.test"}""", "value" },
        { """{"claim":"client_id","value":"x","iss":"https://other.test"}""", "iss" },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task BadRule_Answers400NamingTheField(string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/revoke/rule") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal(field, JsonNode.Parse(text)!["field"]!.GetValue<string>());
    }

    private async Task<JsonArray> ListAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/revoke/rules");
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["rules"]!.AsArray();
    }
}
