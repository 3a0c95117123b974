using Gateway.Testing;
namespace Gateway.FunctionalTests.TestInfrastructure;

public sealed class RedisServerTests
{
    [Fact]
    public async Task RestartAsync_WithAppendOnly_KeepsDataOnSamePort()
    {
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions { AppendOnly = true });
        var port = redis.Port;
        Assert.Equal("+OK", await redis.ExecuteAsync("SET", "k", "v"));

        await redis.RestartAsync();

        Assert.Equal(port, redis.Port);
        Assert.Equal("v", await redis.ExecuteAsync("GET", "k"));
        await redis.FlushAsync();
        Assert.Equal("$-1", await redis.ExecuteAsync("GET", "k"));
    }

    [Fact]
    public async Task Kill_RunningServer_StopsAnswering()
    {
        await using var redis = await RedisServer.StartAsync();

        redis.Kill();

        Assert.False(redis.IsRunning);
        await Assert.ThrowsAnyAsync<Exception>(() => redis.ExecuteAsync("PING"));
    }
}
