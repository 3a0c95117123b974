using System.Net;
using System.Net.Sockets;
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

    [Fact]
    public async Task StartAsync_PortTakenBeforeTheServerBindsIt_StartsOnAnotherPort()
    {
        // FreePort frees its port before redis-server binds it, and any process may take it in between (a test's outgoing
        // connection takes its local port from the same range): a CI run once failed a cluster fixture that way.
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = 0;

        await using var redis = await RedisServer.StartAsync(new RedisServerOptions
        {
            PickPort = () => ++picks == 1 ? taken : FreePort.Next(),
        });

        Assert.NotEqual(taken, redis.Port);
        Assert.Equal(2, picks);
        Assert.Equal("+PONG", await redis.ExecuteAsync("PING"));
    }
}
