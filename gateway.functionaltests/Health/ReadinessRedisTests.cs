using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Health;

/// <summary>Readiness follows a real redis-server: this class starts its own, since it kills it.</summary>
public sealed class ReadinessRedisTests : IAsyncLifetime
{
    private readonly TestKey _key = TestKey.Es256();
    private RedisServer? _redis;

    private RedisServer Redis => _redis!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _key.Dispose();
    }

    [Fact]
    public async Task Readyz_RedisStoppedThenRestarted_UnreadyThenReadyAgain()
    {
        var config = GatewayConfig.StandardInline(JwksDocument.Of(_key), "http://127.0.0.1:9/").WithRedis(Redis.ConnectionString);
        await using var gateway = await GatewayHost.StartAsync(config);

        var ready = await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        Assert.Equal("redis", ready["checks"]!["session_store"]!["kind"]!.GetValue<string>());

        Redis.Kill();
        var unready = await WaitForReadinessAsync(gateway, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("unhealthy", unready["checks"]!["session_store"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", unready["checks"]!["issuers"]!["status"]!.GetValue<string>());
        var (live, _) = await HealthEndpointTests.GetAsync(gateway.AdminClient, "healthz");
        Assert.Equal(HttpStatusCode.OK, live);

        await Redis.RestartAsync();
        var again = await WaitForReadinessAsync(gateway, HttpStatusCode.OK);
        Assert.Equal("healthy", again["checks"]!["session_store"]!["status"]!.GetValue<string>());
    }

    private static async Task<JsonNode> WaitForReadinessAsync(GatewayHost gateway, HttpStatusCode expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (status, body) = await HealthEndpointTests.GetAsync(gateway.AdminClient, "readyz");
            if (status == expected)
            {
                return body;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"/readyz stayed {status}, expected {expected}: {body.ToJsonString()}");
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }
}
