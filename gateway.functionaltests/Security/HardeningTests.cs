using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Security;

/// <summary>
/// The outside review's findings, each a test that failed on the code it was found in: header spellings, dates in
/// the future, step-up by refresh, use counts across routes, admin ids no token can carry, scopes.
/// </summary>
public sealed class HardeningTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private static string NewUser() => "hard-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData("X_Auth_Subject")]
    [InlineData("x_auth_subject")]
    [InlineData("X-AUTH_SUBJECT")]
    [InlineData("x_Auth-Subject")]
    public async Task IdentityHeader_AnySpellingABackendFoldsToIt_IsStripped_OnProtectedRoutes(string spelling)
    {
        var sub = NewUser();
        var path = "/api/spell-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.Gateway.GetAsync(path, fixture.Token(sub), new Dictionary<string, string> { [spelling] = "admin" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var seen = Assert.Single(fixture.Backend.Requests, r => r.PathAndQuery == path);
        var folded = seen.Headers.Where(h => Fold(h.Key) == "x-auth-subject").ToList();
        Assert.Equal(sub, Assert.Single(folded).Value);
    }

    [Fact]
    public async Task IdentityHeader_ForgedSpelling_IsStripped_OnAnonymousRoutes()
    {
        var path = "/public/spell-" + Guid.NewGuid().ToString("N");
        using var response = await fixture.Gateway.GetAsync(path, headers: new Dictionary<string, string> { ["X_Auth_Subject"] = "admin", ["x_auth_session"] = "s" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var seen = Assert.Single(fixture.Backend.Requests, r => r.PathAndQuery == path);
        Assert.DoesNotContain(seen.Headers, h => Fold(h.Key) is "x-auth-subject" or "x-auth-session");
    }

    [Fact]
    public async Task Iat_InTheFuture_BeyondSkew_IsRefused_SoItCannotSurviveLogoutEverywhere()
    {
        var sub = NewUser();
        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/api/x", fixture.Token(sub, iat: TimeSpan.FromDays(1))), "invalid_claim");

        // Within the skew it passes.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/api/x", fixture.Token(sub, iat: TimeSpan.FromSeconds(10)))).StatusCode);
    }

    [Fact]
    public async Task AuthTime_InTheFuture_IsRefused_SoItCannotSatisfyMaxTokenAge()
    {
        var ahead = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var token = fixture.Token(NewUser(), claims: new Dictionary<string, object?> { ["auth_time"] = ahead });
        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/stepup/x", token), "invalid_claim");
    }

    [Fact]
    public async Task StepUp_TokenWithoutAuthTime_IsChallenged_EvenWhenFreshlyIssued()
    {
        // A refresh renews iat, not the authentication: without auth_time the route cannot know how old the login is.
        using var response = await fixture.Gateway.GetAsync("/stepup/x", fixture.Token(NewUser()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_user_authentication\"", challenge, StringComparison.Ordinal);
        Assert.Contains("max_age=300", challenge, StringComparison.Ordinal);

        var recent = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var fresh = fixture.Token(NewUser(), claims: new Dictionary<string, object?> { ["auth_time"] = recent });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/stepup/x", fresh)).StatusCode);
    }

    [Fact]
    public async Task MaxUses_CountsPerRoute()
    {
        var token = fixture.Token(NewUser(), jti: "per-route-" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/limited/a", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/limited/b", token)).StatusCode);

        // Two uses on the MaxUses=3 route do not spend this route's single use.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/once/a", token)).StatusCode);
        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/once/b", token), "use_limit_reached");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/limited/c", token)).StatusCode);
        await Refusals.AssertInvalidTokenAsync(await fixture.Gateway.GetAsync("/limited/d", token), "use_limit_reached");
    }

    [Theory]
    [InlineData("sub", "caf\u00e9")]
    [InlineData("sub", "line\nbreak")]
    [InlineData("sid", "tab\there")]
    [InlineData("sid", "")]
    public async Task Admin_IdNoTokenCanCarry_Is400SayingWhy(string field, string value)
    {
        var body = new Dictionary<string, object> { ["sub"] = "someone", ["sid"] = "s1", [field] = value };
        using var response = await fixture.AdminPostAsync("/admin/revoke/session", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(field, (string?)problem!["field"]);
        Assert.Contains("printable ASCII", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_UserWithSlashInSub_ReachableByQuery()
    {
        var sub = "tenant/" + NewUser();
        await fixture.AdminJsonAsync("/admin/revoke/user", new { sub });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/users?sub=" + Uri.EscapeDataString(sub));
        request.Headers.Add("X-Api-Key", SessionGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(sub, (string?)user!["sub"]);
        Assert.Equal(1, (long)user["version"]!);
    }

    [Fact]
    public async Task RequiredScopes_Missing_Is403InsufficientScope_NamingTheScopes()
    {
        var partial = fixture.Token(NewUser(), claims: new Dictionary<string, object?> { ["scope"] = "orders:read" });
        using var response = await fixture.Gateway.GetAsync("/scoped/x", partial);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", error_description=\"insufficient_scope\", scope=\"orders:read orders:write\"", response.Headers.WwwAuthenticate.ToString());

        // A client-credentials token with no scope at all reaches no scoped route.
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Gateway.GetAsync("/scoped/x", fixture.Token(NewUser()))).StatusCode);

        // scope (space-separated) and scp (an array, Okta/Entra style) both grant.
        var both = fixture.Token(NewUser(), claims: new Dictionary<string, object?> { ["scope"] = "orders:write profile orders:read" });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/scoped/x", both)).StatusCode);
        var scp = fixture.Token(NewUser(), claims: new Dictionary<string, object?> { ["scp"] = new JsonArray("orders:read", "orders:write") });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Gateway.GetAsync("/scoped/x", scp)).StatusCode);
    }

    private static string Fold(string name) => name.Replace('_', '-').ToLowerInvariant();
}
