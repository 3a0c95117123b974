using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Health;

public sealed class HealthEndpointTests : IAsyncLifetime
{
    private readonly TestKey _key = TestKey.Es256();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _key.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Healthz_AdminListener_AliveWithProcessCheck()
    {
        await using var gateway = await GatewayHost.StartAsync(Config());

        var (status, body) = await GetAsync(gateway.AdminClient, "healthz");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.Equal("healthy", body["checks"]!["process"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Readyz_InlineKeysInProcessStore_ReadyWithEachCheck()
    {
        await using var gateway = await GatewayHost.StartAsync(Config());

        var (status, body) = await GetAsync(gateway.AdminClient, "readyz");

        Assert.Equal(HttpStatusCode.OK, status);
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["issuers", "session_store", "shutdown"], checks.Select(c => c.Key).Order());
        Assert.All(checks, c => Assert.Equal("healthy", c.Value!["status"]!.GetValue<string>()));
        Assert.Equal("embedded", checks["session_store"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Readyz_JwksUnreachable_UnreadyNamingTheIssuer()
    {
        var config = GatewayConfig.Standard($"http://127.0.0.1:{FreePort.Next()}/jwks", "http://127.0.0.1:9/");
        await using var gateway = await GatewayHost.StartAsync(config);

        var (status, body) = await GetAsync(gateway.AdminClient, "readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", body["status"]!.GetValue<string>());
        Assert.Equal("unhealthy", body["checks"]!["issuers"]!["status"]!.GetValue<string>());
        Assert.Contains(TokenFactory.Issuer, body["checks"]!["issuers"]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var (live, _) = await GetAsync(gateway.AdminClient, "healthz");
        Assert.Equal(HttpStatusCode.OK, live);
    }

    [Theory]
    [InlineData(false, HttpStatusCode.NotFound)]
    [InlineData(true, HttpStatusCode.OK)]
    public async Task Health_PublicEndpointsOption_DecidesThePublicListener(bool publicEndpoints, HttpStatusCode expected)
    {
        var config = Config().Set("Gateway:Health:PublicEndpoints", JsonValue.Create(publicEndpoints));
        await using var gateway = await GatewayHost.StartAsync(config);

        foreach (var path in new[] { "healthz", "readyz" })
        {
            using var onPublic = await gateway.PublicClient.GetAsync(new Uri(path, UriKind.Relative));
            using var onAdmin = await gateway.AdminClient.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(expected, onPublic.StatusCode);
            Assert.Equal(HttpStatusCode.OK, onAdmin.StatusCode);
        }
    }

    [Theory]
    [InlineData("Gateway:Health:ProbeInterval", "00:00:00.5")]
    [InlineData("Gateway:Health:CheckTimeout", "00:00:00")]
    [InlineData("Gateway:Shutdown:Timeout", "00:00:00")]
    [InlineData("Gateway:Shutdown:Delay", "-00:00:01")]
    public async Task Options_OutOfRange_StartupFailsNamingTheKey(string key, string value)
    {
        var error = await GatewayHost.StartExpectingFailureAsync(Config().Set(key, JsonValue.Create(value)));

        Assert.Contains(Gateway.Hosting.StartupErrors.Describe(error), line => line.StartsWith(key + ":", StringComparison.Ordinal));
    }

    internal static async Task<(HttpStatusCode Status, JsonNode Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new JsonException("empty body");
        return (response.StatusCode, body);
    }

    private GatewayConfig Config() => GatewayConfig.StandardInline(JwksDocument.Of(_key), "http://127.0.0.1:9/");
}
