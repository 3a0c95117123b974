using Gateway.Gate.Refusals;
using System.Net;
using Gateway.FunctionalTests.Reliability;
using Gateway.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>Routes come from the config file and follow it when it changes; a bad change keeps the previous routes.</summary>
public sealed class HotReloadTests : IAsyncLifetime
{
    private readonly TestKey _key = TestKey.Es256();
    private RecordingBackend _backend = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _backend = await RecordingBackend.StartAsync();
        _gateway = await GatewayHost.StartAsync(Config());
    }

    [Fact]
    public async Task RewriteConfig_NewProtectedRoute_IsServedAndGuarded()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.GetAsync("/v2/items", TokenFactory.Mint(_key))).StatusCode);

        await _gateway.ReloadAsync(Config().AddRoute("v2", "/v2/{**rest}"), routes => routes.Any(r => r.RouteId == "v2"));

        // Twice in full test runs (2026-12-03) the first request after the reload got 404 although YARP and routing's
        // endpoint list already had the route; alone, and under CPU load, it never did. Until that is explained, a probe
        // path waits (at most 5 s) until the route is served, then the request under test is made once.
        await ReliabilityRig.WaitUntilAsync(async () =>
        {
            using var probe = await _gateway.GetAsync("/v2/probe", TokenFactory.Mint(_key));
            return probe.StatusCode != HttpStatusCode.NotFound;
        }, TimeSpan.FromSeconds(5), "the reloaded route v2 is served");
        using var accepted = await _gateway.GetAsync("/v2/items", TokenFactory.Mint(_key, sub: "bob"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("bob", Assert.Single(_backend.RequestsTo("/v2/items")).Header("X-Auth-Subject"));

        using var refused = await _gateway.GetAsync("/v2/refused");
        await Refusals.AssertMissingTokenAsync(refused);
        Assert.Empty(_backend.RequestsTo("/v2/refused"));
    }

    [Fact]
    public async Task RewriteConfig_PolicyChanged_AppliesToNextRequest()
    {
        var config = Config();
        config.Set("ReverseProxy:Routes:api:AuthorizationPolicy", "anonymous");
        config.Set("ReverseProxy:Routes:public:AuthorizationPolicy", null);

        await _gateway.ReloadAsync(config, routes => routes.Any(r => r.RouteId == "public" && r.Metadata?["Gateway.AuthorizationPolicy"] == "default"));

        using var nowOpen = await _gateway.GetAsync("/api/open");
        Assert.Equal(HttpStatusCode.OK, nowOpen.StatusCode);
        using var nowGuarded = await _gateway.GetAsync("/public/guarded");
        await Refusals.AssertMissingTokenAsync(nowGuarded);
        Assert.Empty(_backend.RequestsTo("/public/guarded"));
    }

    [Fact]
    public async Task RewriteConfig_RouteRemoved_Returns404()
    {
        await _gateway.ReloadAsync(Config().RemoveRoute("public"), routes => routes.All(r => r.RouteId != "public"));

        using var response = await _gateway.GetAsync("/public/gone");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_backend.Requests);
    }

    [Fact]
    public async Task RewriteConfig_BadPolicyValue_KeepsPreviousRoutesUntilFixed()
    {
        var bad = Config().AddRoute("v3", "/v3/{**rest}");
        bad.Set("ReverseProxy:Routes:api:AuthorizationPolicy", "admins");

        await _gateway.RewriteConfigAsync(bad);
        var error = await _gateway.Logs.WaitForAsync(e => e.Level >= LogLevel.Error);

        Assert.Contains("ReverseProxy:Routes:api:AuthorizationPolicy", error.Message + error.Exception, StringComparison.Ordinal);
        Assert.DoesNotContain(_gateway.CurrentRoutes(), r => r.RouteId == "v3");
        using (var stillGuarded = await _gateway.GetAsync("/api/still"))
        {
            await Refusals.AssertMissingTokenAsync(stillGuarded);
        }

        using (var stillWorks = await _gateway.GetAsync("/api/still", TokenFactory.Mint(_key)))
        {
            Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        }

        await _gateway.ReloadAsync(Config().AddRoute("v3", "/v3/{**rest}"), routes => routes.Any(r => r.RouteId == "v3"));
        using var fixedRoute = await _gateway.GetAsync("/v3/x", TokenFactory.Mint(_key));
        Assert.Equal(HttpStatusCode.OK, fixedRoute.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        _key.Dispose();
    }

    private GatewayConfig Config() => GatewayConfig.StandardInline(JwksDocument.Of(_key), _backend.Url);
}
