using Gateway.FunctionalTests.TestInfrastructure;
using System.Net;
using Gateway.Sessions;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>The fixtures together: a gateway on the shared Redis server, with a JWKS URI and a recording backend.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisHostingTests(RedisServer redis)
{
    [Fact]
    public async Task Start_WithRedisConfiguration_UsesRedisStoreAndForwardsValidTokens()
    {
        using var key = TestKey.Es256();
        await using var jwks = await JwksServer.StartAsync(key);
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayConfig.Standard(jwks.Url, backend.Url).WithRedis(redis.ConnectionString));

        using var response = await gateway.GetAsync("/api/redis", TokenFactory.Mint(key, sub: "redis-user"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("redis-user", Assert.Single(backend.Requests).Header("X-Auth-Subject"));
        Assert.IsNotType<Gateway.Sessions.Embedded.EmbeddedSessionStore>(gateway.Services.GetRequiredService<ISessionStore>());
    }
}
