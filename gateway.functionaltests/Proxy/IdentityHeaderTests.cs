using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Proxy;

public sealed class IdentityHeaderTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    private static readonly Dictionary<string, string> Forged = new()
    {
        ["X-Auth-Subject"] = "mallory",
        ["x-auth-session"] = "forged-session",
    };

    [Fact]
    public async Task Get_AnonymousRouteWithoutToken_Forwards()
    {
        using var response = await fixture.Gateway.GetAsync("/public/anonymous/plain?x=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/public/anonymous/plain"));
        Assert.Equal("/public/anonymous/plain?x=1", seen.PathAndQuery);
    }

    [Fact]
    public async Task Get_AnonymousRouteWithGarbageToken_ForwardsWithoutIdentity()
    {
        using var response = await fixture.Gateway.GetAsync("/public/anonymous/garbage", "garbage");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/public/anonymous/garbage"));
        Assert.Null(seen.Header("X-Auth-Subject"));
    }

    [Fact]
    public async Task Get_AnonymousRouteWithForgedIdentityHeaders_StripsThem()
    {
        using var response = await fixture.Gateway.GetAsync("/public/anonymous/forged", headers: Forged);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/public/anonymous/forged"));
        Assert.Null(seen.Header("X-Auth-Subject"));
        Assert.Null(seen.Header("X-Auth-Session"));
    }

    [Fact]
    public async Task Get_AnonymousRouteWithValidTokenAndForgedHeaders_StripsThemAndSetsNothing()
    {
        // Anonymous routes do not verify tokens, so they vouch for no identity either.
        using var response = await fixture.Gateway.GetAsync("/public/anonymous/with-token", fixture.Token("alice", "s1"), Forged);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/public/anonymous/with-token"));
        Assert.Null(seen.Header("X-Auth-Subject"));
        Assert.Null(seen.Header("X-Auth-Session"));
    }

    [Fact]
    public async Task Get_ProtectedRouteWithForgedIdentityHeaders_SetsThemFromToken()
    {
        using var response = await fixture.Gateway.GetAsync("/api/identity/forged", fixture.Token("alice", "s1"), Forged);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/api/identity/forged"));
        Assert.Equal("alice", seen.Header("X-Auth-Subject"));
        Assert.Equal("s1", seen.Header("X-Auth-Session"));
    }

    [Fact]
    public async Task Get_ProtectedRouteTokenWithoutSid_StripsForgedSessionHeader()
    {
        using var response = await fixture.Gateway.GetAsync("/api/identity/no-sid", fixture.Token("alice"), Forged);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/api/identity/no-sid"));
        Assert.Equal("alice", seen.Header("X-Auth-Subject"));
        Assert.Null(seen.Header("X-Auth-Session"));
    }

    [Fact]
    public async Task Get_ProtectedRouteWithForgedHeadersAndNoToken_RefusesAndNeverForwards()
    {
        using var response = await fixture.Gateway.GetAsync("/api/identity/no-token", headers: Forged);

        await Refusals.AssertMissingTokenAsync(response);
        Assert.Empty(fixture.Backend.RequestsTo("/api/identity/no-token"));
    }

    [Fact]
    public async Task Get_UnmatchedPath_Returns404AndNeverForwards()
    {
        using var response = await fixture.Gateway.GetAsync("/nowhere", fixture.Token());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(fixture.Backend.RequestsTo("/nowhere"));
    }

    [Fact]
    public async Task Get_ProxyRouteOnAdminListener_Returns404AndNeverForwards()
    {
        using var response = await fixture.Gateway.AdminClient.GetAsync(new Uri("/public/on-admin", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(fixture.Backend.RequestsTo("/public/on-admin"));
    }
}
