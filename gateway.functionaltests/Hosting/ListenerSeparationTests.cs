using System.Net;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>Admin-only endpoints never shadow a backend's paths on the public listener, and nothing is proxied from the admin listener.</summary>
public sealed class ListenerSeparationTests(ListenerSeparationTests.Fixture fixture) : IClassFixture<ListenerSeparationTests.Fixture>
{
    public sealed class Fixture : StandardGateway
    {
        protected override void Configure(GatewayConfig config) => config
            .AddRoute("backend-metrics", "/metrics", policy: "anonymous")
            .AddRoute("backend-admin", "/admin/{**rest}", policy: "anonymous")
            .WithAdminApiKeys("separation-key-0123456789");
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/admin/revoke/user")]
    public async Task BackendPath_NamedLikeAnAdminEndpoint_IsProxiedOnThePublicListener(string path)
    {
        var marker = "?m=" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(path.StartsWith("/admin", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path + marker);
        request.Headers.Add("X-Api-Key", "separation-key-0123456789");
        using var response = await fixture.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(fixture.Backend.Requests, r => r.PathAndQuery == path + marker);
    }

    [Fact]
    public async Task AdminListener_ServesItsOwnMetrics_AndProxiesNothing()
    {
        using var metrics = await fixture.Gateway.AdminClient.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var before = fixture.Backend.Requests.Count;
        using var proxied = await fixture.Gateway.AdminClient.GetAsync("/public/x");
        Assert.Equal(HttpStatusCode.NotFound, proxied.StatusCode);
        Assert.Equal(before, fixture.Backend.Requests.Count);
    }
}
