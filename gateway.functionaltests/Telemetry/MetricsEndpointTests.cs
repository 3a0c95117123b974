using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.FunctionalTests.Telemetry;

[Collection(ObservedGateway.CollectionName)]
public sealed class MetricsEndpointTests(ObservedGateway fixture)
{
    private const string Requests = "gateway_requests_total";

    [Fact]
    public async Task Metrics_AllowedAndRefusedRequests_CountedByRouteOutcomeAndReason()
    {
        var gateway = fixture.Gateway;
        var route = ("route", fixture.RouteId);
        var before = await PrometheusScrape.FromAsync(gateway);

        foreach (var i in Enumerable.Range(0, 2))
        {
            using var allowed = await gateway.GetAsync($"{fixture.RoutePrefix}/ok{i}", fixture.Token());
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var missing = await gateway.GetAsync($"{fixture.RoutePrefix}/missing"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        using (var expired = await gateway.GetAsync($"{fixture.RoutePrefix}/expired", TokenFactory.Mint(fixture.Es256, iat: TimeSpan.FromHours(-2), nbf: TimeSpan.FromHours(-2), exp: TimeSpan.FromHours(-1))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }

        var after = await PrometheusScrape.WhenAsync(gateway, s => s.Sum("gateway_request_duration_seconds_count", route) - before.Sum("gateway_request_duration_seconds_count", route) >= 4);
        double Delta(params (string, string)[] labels) => after.Sum(Requests, labels) - before.Sum(Requests, labels);
        Assert.Equal(2, Delta(route, ("outcome", "allowed"), ("reason", "none")));
        Assert.Equal(1, Delta(route, ("outcome", "denied"), ("reason", Reasons.Missing.Code)));
        Assert.Equal(1, Delta(route, ("outcome", "denied"), ("reason", Reasons.Expired.Code)));
        Assert.True(after.Sum("gateway_token_cache_lookups_total") > before.Sum("gateway_token_cache_lookups_total"));
        Assert.True(after.Sum("gateway_token_verify_duration_seconds_count") > before.Sum("gateway_token_verify_duration_seconds_count"));
        Assert.Equal(4, after.Sum("gateway_request_duration_seconds_count", route) - before.Sum("gateway_request_duration_seconds_count", route));
    }

    [Fact]
    public async Task Metrics_PublicListener_NotFound()
    {
        using var response = await fixture.Gateway.PublicClient.GetAsync(new Uri("metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_AdminListenerWithoutApiKey_ServesPrometheusText()
    {
        using var response = await fixture.Gateway.AdminClient.GetAsync(new Uri("metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
