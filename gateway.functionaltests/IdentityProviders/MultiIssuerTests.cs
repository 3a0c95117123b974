using System.Net;
using System.Text.Json.Nodes;
using Gateway.Gate.Refusals;
using Gateway.Testing;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// State is per (issuer, subject): two issuers' "alice" never share anything, admin calls must say which issuer
/// when several are configured, and an issuer's VersionClaim judges only its own tokens.
/// </summary>
public sealed class MultiIssuerTests(MultiIssuerGateway fixture) : IClassFixture<MultiIssuerGateway>
{
    private static string NewUser() => "alice-" + Guid.NewGuid().ToString("N")[..8];

    private async Task AssertPassesAsync(string token)
    {
        using var response = await fixture.Gateway.GetAsync("/api/x", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertRefusedAsync(string token, string reason)
    {
        using var response = await fixture.Gateway.GetAsync("/api/x", token);
        await Refusals.AssertInvalidTokenAsync(response, reason);
    }

    [Fact]
    public async Task SameSubjectAtTwoIssuers_LogoutEverywhereOfOne_LeavesTheOther()
    {
        var alice = NewUser();
        var atA = fixture.Token(MultiIssuerGateway.IssuerA, alice, iat: TimeSpan.FromSeconds(-2));
        var atB = fixture.Token(MultiIssuerGateway.IssuerB, alice, iat: TimeSpan.FromSeconds(-2));
        await AssertPassesAsync(atA);
        await AssertPassesAsync(atB);

        var answer = await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = MultiIssuerGateway.IssuerA, sub = alice });
        Assert.Equal(MultiIssuerGateway.IssuerA, answer["iss"]!.GetValue<string>());

        await AssertRefusedAsync(atA, Reasons.UserVersionStale.Code);
        await AssertPassesAsync(atB);

        // Each issuer's alice has her own state.
        var stateA = await GetUserAsync(alice, MultiIssuerGateway.IssuerA);
        var stateB = await GetUserAsync(alice, MultiIssuerGateway.IssuerB);
        Assert.Equal(1, stateA["version"]!.GetValue<long>());
        Assert.Equal(0, stateB["version"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("/admin/revoke/user")]
    [InlineData("/admin/revoke/session")]
    [InlineData("/admin/revoke/token")]
    [InlineData("/admin/sessions/activate")]
    public async Task AdminBody_WithoutIss_WhenSeveralIssuers_Is400NamingIss(string path)
    {
        var alice = NewUser();
        var token = fixture.Token(MultiIssuerGateway.IssuerA, alice, iat: TimeSpan.FromSeconds(-2));

        using var response = await fixture.AdminPostAsync(path, new { sub = alice, sid = "s1", jti = "j1", exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("iss", problem["field"]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains("'iss' is required: 3 issuers are configured", detail, StringComparison.Ordinal);
        Assert.Contains(MultiIssuerGateway.IssuerB, detail, StringComparison.Ordinal);
        await AssertPassesAsync(token);
    }

    [Fact]
    public async Task RevokeToken_ByPresentingIt_TheTokenNamesItsIssuer_NoIssNeeded()
    {
        // Current behaviour: a {"token"} body is judged by the token's own (verified) iss; an "iss" beside it is not read.
        var alice = NewUser();
        var atA = fixture.Token(MultiIssuerGateway.IssuerA, alice);
        var atB = fixture.Token(MultiIssuerGateway.IssuerB, alice);

        var answer = await fixture.AdminJsonAsync("/admin/revoke/token", new { token = atA });
        Assert.Equal(MultiIssuerGateway.IssuerA, answer["iss"]!.GetValue<string>());
        await AssertRefusedAsync(atA, Reasons.TokenRevoked.Code);
        await AssertPassesAsync(atB);

        var other = fixture.Token(MultiIssuerGateway.IssuerA, alice);
        var mismatched = await fixture.AdminJsonAsync("/admin/revoke/token", new { iss = MultiIssuerGateway.IssuerB, token = other });
        Assert.Equal(MultiIssuerGateway.IssuerA, mismatched["iss"]!.GetValue<string>());
        await AssertRefusedAsync(other, Reasons.TokenRevoked.Code);
        await AssertPassesAsync(atB);
    }

    [Fact]
    public async Task AdminBody_WithAnUnknownIss_Is400NamingIss()
    {
        using var response = await fixture.AdminPostAsync("/admin/revoke/user", new { iss = "https://idp-a.test/", sub = NewUser() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("iss", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task ClientCredentialsSubject_AndAUserOfThatName_AtAnotherIssuer_AreDifferentSubjects()
    {
        // Client credentials: sub is the client id (RFC 9068 §2.2). Issuer B has a user who happens to have that name.
        var name = "reporting-" + Guid.NewGuid().ToString("N")[..8];
        var service = fixture.Token(MultiIssuerGateway.IssuerA, name, iat: TimeSpan.FromSeconds(-2),
            claims: new Dictionary<string, object?> { ["client_id"] = name, ["scope"] = "reports:read" });
        var user = fixture.Token(MultiIssuerGateway.IssuerB, name, iat: TimeSpan.FromSeconds(-2),
            claims: new Dictionary<string, object?> { ["client_id"] = "web-app", ["sid"] = "browser-1" });
        await AssertPassesAsync(service);
        await AssertPassesAsync(user);

        // The user is logged out everywhere at B: the service at A keeps working.
        await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = MultiIssuerGateway.IssuerB, sub = name });
        await AssertRefusedAsync(user, Reasons.UserVersionStale.Code);
        await AssertPassesAsync(service);

        // And the other way round: the service's session/ids at A do not reach B's user.
        var user2 = fixture.Token(MultiIssuerGateway.IssuerB, name, iat: TimeSpan.FromSeconds(2), claims: new Dictionary<string, object?> { ["sid"] = "browser-2" });
        await AssertPassesAsync(user2);
        await fixture.AdminJsonAsync("/admin/revoke/session", new { iss = MultiIssuerGateway.IssuerA, sub = name, sid = "browser-2" });
        await AssertPassesAsync(user2);
        await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = MultiIssuerGateway.IssuerA, sub = name });
        await AssertRefusedAsync(service, Reasons.UserVersionStale.Code);
        await AssertPassesAsync(user2);
    }

    [Fact]
    public async Task VersionClaim_TokenAheadOfTheUser_IsRefused_BehindIsStale()
    {
        var sub = NewUser();
        var v0 = fixture.Token(MultiIssuerGateway.Versioned, sub, ver: 0);
        await AssertPassesAsync(v0);

        // No token can be ahead of the store: version 1 before any logout-everywhere.
        await AssertRefusedAsync(fixture.Token(MultiIssuerGateway.Versioned, sub, ver: 1), Reasons.UserVersionAhead.Code);

        var answer = await fixture.AdminJsonAsync("/admin/revoke/user", new { iss = MultiIssuerGateway.Versioned, sub });
        Assert.Equal(1, answer["version"]!.GetValue<long>());

        await AssertRefusedAsync(v0, Reasons.UserVersionStale.Code);
        // Judged by version, not iat: a token of version 1 minted in the cut-off second passes.
        await AssertPassesAsync(fixture.Token(MultiIssuerGateway.Versioned, sub, ver: 1,
            claims: new Dictionary<string, object?> { ["iat"] = answer["cutoff"]!.GetValue<long>() }));
        await AssertRefusedAsync(fixture.Token(MultiIssuerGateway.Versioned, sub, ver: 2), Reasons.UserVersionAhead.Code);
    }

    [Fact]
    public async Task VersionClaim_OfOneIssuer_DoesNotApplyToAnother()
    {
        // Issuer A has no VersionClaim: its tokens' "ver" (any JSON type) is just another claim.
        var sub = NewUser();
        await AssertPassesAsync(fixture.Token(MultiIssuerGateway.IssuerA, sub, ver: 7));
        await AssertPassesAsync(fixture.Token(MultiIssuerGateway.IssuerA, sub, claims: new Dictionary<string, object?> { ["ver"] = "2.0" }));
        // Issuer Versioned: ver must be an integer.
        await AssertRefusedAsync(fixture.Token(MultiIssuerGateway.Versioned, sub, claims: new Dictionary<string, object?> { ["ver"] = "2.0" }), Reasons.InvalidClaim.Code);
    }

    private async Task<JsonObject> GetUserAsync(string sub, string iss)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/users/{sub}?iss={Uri.EscapeDataString(iss)}");
        request.Headers.Add("X-Api-Key", MultiIssuerGateway.ApiKey);
        using var response = await fixture.Gateway.AdminClient.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
