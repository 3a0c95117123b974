using Gateway.Gate;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Proxy;

/// <summary>
/// The standard gateway with Authorization not forwarded and custom identity header names, a route whose own YARP
/// transforms remove one identity header and pin another, and a route that forwards only the client headers it allows.
/// </summary>
public sealed class CustomHeadersGateway : StandardGateway
{
    protected override void Configure(GatewayConfig config) => config
        .Set("Gateway:Proxy:ForwardAuthorization", false)
        .Set("Gateway:Proxy:IdentityHeaders:Subject", "X-User")
        .Set("Gateway:Proxy:IdentityHeaders:Session", "")
        .Set("Gateway:Proxy:IdentityHeaders:TokenId", "X-Token-Id")
        .Set("Gateway:Proxy:IdentityHeaders:Issuer", "X-Issuer")
        .AddRoute("transformed", "/transformed/{**rest}")
        .Set("ReverseProxy:Routes:transformed:Transforms", new JsonArray(
            new JsonObject { ["RequestHeaderRemove"] = "X-Token-Id" },
            new JsonObject { ["RequestHeader"] = "X-Issuer", ["Set"] = "pinned-by-route" }))
        .AddRoute("allowed", "/allowed/{**rest}")
        .Set("ReverseProxy:Routes:allowed:Transforms", new JsonArray(
            new JsonObject { ["RequestHeadersAllowed"] = "X-User;x_user;X-Token-Id;Accept" }));
}

public sealed class ProxyOptionsTests(CustomHeadersGateway fixture) : IClassFixture<CustomHeadersGateway>
{
    [Fact]
    public async Task Get_ForwardAuthorizationOff_BackendGetsIdentityButNoToken()
    {
        var token = TokenFactory.Mint(fixture.Es256, sub: "carol", sid: "s9", jti: "jti-1");

        using var response = await fixture.Gateway.GetAsync("/api/custom", token, new Dictionary<string, string>
        {
            ["X-User"] = "mallory",
            ["X-Token-Id"] = "forged",
            ["X-Issuer"] = "https://evil.test",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/api/custom"));
        Assert.Null(seen.Header("Authorization"));
        Assert.Equal("carol", seen.Header("X-User"));
        Assert.Equal("jti-1", seen.Header("X-Token-Id"));
        Assert.Equal(TokenFactory.Issuer, seen.Header("X-Issuer"));
        Assert.Null(seen.Header("X-Auth-Session"));
    }

    [Fact]
    public async Task Get_RouteTransformsNameIdentityHeaders_TheRouteHasTheLastWord()
    {
        // The gate's headers are set before the route's own transforms run, so an operator can still drop or pin one.
        var token = TokenFactory.Mint(fixture.Es256, sub: "carol", sid: "s9", jti: "jti-2");

        using var response = await fixture.Gateway.GetAsync("/transformed/x", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/transformed/x"));
        Assert.Equal("carol", seen.Header("X-User"));
        Assert.Null(seen.Header("X-Token-Id"));
        Assert.Equal("pinned-by-route", seen.Header("X-Issuer"));
    }

    [Fact]
    public async Task Get_RouteAllowingIdentityHeaderNames_ForwardsTheTokensNotTheClients()
    {
        // The route copies the headers it allows from the client's request itself, after the gate's transform.
        var token = TokenFactory.Mint(fixture.Es256, sub: "carol", sid: "s9", jti: "jti-3");

        using var response = await fixture.Gateway.GetAsync("/allowed/x", token, new Dictionary<string, string>
        {
            ["X-User"] = "mallory",
            ["x_user"] = "admin",
            ["X-Token-Id"] = "forged",
            ["Accept"] = "text/plain",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/allowed/x"));
        Assert.Equal("carol", seen.Header("X-User"));
        Assert.Null(seen.Header("x_user"));
        Assert.Equal("jti-3", seen.Header("X-Token-Id"));
        Assert.Equal("text/plain", seen.Header("Accept"));
    }

    [Fact]
    public async Task Get_AnonymousRouteWithCustomHeaderNames_StripsThem()
    {
        using var response = await fixture.Gateway.GetAsync("/public/custom", headers: new Dictionary<string, string>
        {
            ["x-user"] = "mallory",
            ["X-Token-Id"] = "forged",
            ["X-Issuer"] = "https://evil.test",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/public/custom"));
        Assert.Null(seen.Header("X-User"));
        Assert.Null(seen.Header("X-Token-Id"));
        Assert.Null(seen.Header("X-Issuer"));
    }
}
