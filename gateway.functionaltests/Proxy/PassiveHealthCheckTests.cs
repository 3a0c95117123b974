using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Proxy;

/// <summary>
/// The standard gateway plus a route to a cluster of two destinations, one of them a closed port, with YARP's passive
/// health check (transport failure rate) on. The standard cluster has none.
/// </summary>
public sealed class PassiveHealthGateway : StandardGateway
{
    protected override void Configure(GatewayConfig config) => config
        .AddRoute("flaky", "/flaky/{**rest}", cluster: "flaky")
        .Set("ReverseProxy:Clusters:flaky", new JsonObject
        {
            ["LoadBalancingPolicy"] = "RoundRobin",
            ["HealthCheck"] = new JsonObject
            {
                ["Passive"] = new JsonObject { ["Enabled"] = true, ["Policy"] = "TransportFailureRate", ["ReactivationPeriod"] = "00:10:00" },
            },
            ["Destinations"] = new JsonObject
            {
                ["up"] = new JsonObject { ["Address"] = Backend.Url },
                ["down"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{FreePort.Next()}/" },
            },
        });
}

public sealed class PassiveHealthCheckTests(PassiveHealthGateway fixture) : IClassFixture<PassiveHealthGateway>
{
    [Fact]
    public async Task Get_ClusterWithPassiveHealthCheck_FailingDestinationLeavesTheRotation()
    {
        // Round robin alternates the two destinations until the failure rate (over YARP's minimum of 10 requests) marks the
        // closed port unhealthy; from then on every request reaches the live one.
        var failures = 0;
        var inARow = 0;
        for (var i = 0; i < 100 && inARow < 15; i++)
        {
            using var response = await fixture.Gateway.GetAsync($"/flaky/{i}", fixture.Token());
            if (response.StatusCode == HttpStatusCode.OK)
            {
                inARow++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
                failures++;
                inARow = 0;
            }
        }

        Assert.True(failures > 0, "the closed port was never tried");
        Assert.Equal(15, inARow);
    }

    [Fact]
    public async Task Get_ClusterWithoutHealthChecks_Forwarded()
    {
        using var response = await fixture.Gateway.GetAsync("/api/plain", fixture.Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Backend.RequestsTo("/api/plain"));
    }
}
