using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// What a forwarded request costs in telemetry by default: no Activity while tracing is off, the gateway's own
/// one-tag duration histogram, and ASP.NET Core's and HttpClient's request meters only when asked for.
/// </summary>
public sealed class HotPathTelemetryTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    [Fact]
    public async Task TracingOff_ForwardedRequest_StartsNoActivity_SoNoTraceparentGoesUpstream()
    {
        fixture.Backend.Clear();

        using var response = await fixture.Gateway.GetAsync("/api/no-trace", fixture.Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/api/no-trace"));
        Assert.Null(seen.Header("traceparent"));
    }

    [Fact]
    public async Task Default_RequestDurationByRoute_WithoutAspNetCoreOrHttpClientRequestMeters()
    {
        // Route ids of its own: the SDK listens to every meter of that name in the process, other tests' gateways too.
        var api = "timed-api-" + Guid.NewGuid().ToString("N")[..8];
        var open = "timed-public-" + Guid.NewGuid().ToString("N")[..8];
        var config = new GatewayConfig()
            .AddIssuer(TokenFactory.Issuer, [TokenFactory.Audience], ["ES256"], jwksUri: fixture.Jwks.Url)
            .AddRoute(api, "/api/{**rest}")
            .AddRoute(open, "/public/{**rest}", policy: "anonymous")
            .AddCluster(GatewayConfig.ClusterId, fixture.Backend.Url);
        await using var gateway = await GatewayHost.StartAsync(config);

        using (var allowed = await gateway.GetAsync("/api/timed", fixture.Token()))
        using (var refused = await gateway.GetAsync("/api/timed", token: null))
        using (var anonymous = await gateway.GetAsync("/public/timed", token: null))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        }

        const string count = "gateway_request_duration_seconds_count";
        var after = await PrometheusScrape.WhenAsync(gateway, s => s.Sum(count, ("route", api)) + s.Sum(count, ("route", open)) >= 3);
        Assert.Equal(2, after.Sum(count, ("route", api)));
        Assert.Equal(1, after.Sum(count, ("route", open)));
        Assert.Equal(0, after.Sum("http_server_request_duration_seconds_count"));
        Assert.Equal(0, after.Sum("http_client_request_duration_seconds_count"));
    }

    [Fact]
    public async Task HttpMetricsOn_AspNetCoreAndHttpClientRequestDurationsAreScraped()
    {
        var config = GatewayConfig.Standard(fixture.Jwks.Url, fixture.Backend.Url).Set(Gateway.Telemetry.TelemetryServiceCollectionExtensions.HttpMetricsKey, JsonValue.Create(true));
        await using var gateway = await GatewayHost.StartAsync(config);

        using (var allowed = await gateway.GetAsync("/api/http-metrics", fixture.Token()))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        var scrape = await PrometheusScrape.WhenAsync(gateway, s => s.Sum("http_server_request_duration_seconds_count") > 0 && s.Sum("gateway_request_duration_seconds_count") > 0);
        Assert.True(scrape.Sum("http_server_request_duration_seconds_count") > 0);
        Assert.True(scrape.Sum("http_client_request_duration_seconds_count") > 0);
        Assert.True(scrape.Sum("gateway_request_duration_seconds_count") > 0);
    }
}
