using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Health;

public sealed class GracefulShutdownTests
{
    private const int RedisClosedEventId = 6102;

    [Fact]
    public async Task Stop_RequestInFlight_ReadinessFailsThenRequestCompletesAndRedisCloses()
    {
        using var key = TestKey.Es256();
        await using var redis = await RedisServer.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await LoopbackServer.StartAsync(async context =>
        {
            arrived.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("done");
        });
        var config = GatewayConfig.StandardInline(JwksDocument.Of(key), backend.BaseAddress.ToString())
            .WithRedis(redis.ConnectionString)
            .Set("Gateway:Shutdown:Delay", JsonValue.Create("00:00:05"))
            .Set("Gateway:Shutdown:Timeout", JsonValue.Create("00:00:20"));
        var gateway = await GatewayHost.StartAsync(config);
        var multiplexer = gateway.Services.GetRequiredService<IConnectionMultiplexer>();
        Task? stopped = null;
        try
        {
            var (ready, _) = await HealthEndpointTests.GetAsync(gateway.AdminClient, "readyz");
            Assert.Equal(HttpStatusCode.OK, ready);
            Assert.True(multiplexer.IsConnected);
            // Own clients: disposing the GatewayHost disposes its clients first, which would cancel the request.
            using var client = new HttpClient { BaseAddress = gateway.PublicUrl };
            using var admin = new HttpClient { BaseAddress = gateway.AdminUrl };
            var inFlight = client.GetAsync(new Uri("public/slow", UriKind.Relative));
            await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Disposing stops the host the way SIGTERM does (StopAsync), then disposes it.
            stopped = gateway.DisposeAsync().AsTask();

            var (status, body) = await WaitForStoppingAsync(admin);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("stopping", body["checks"]!["shutdown"]!["detail"]!.GetValue<string>());

            release.SetResult();
            using var response = await inFlight;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("done", await response.Content.ReadAsStringAsync());
            await stopped.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.False(multiplexer.IsConnected);
            Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == RedisClosedEventId);
        }
        finally
        {
            release.TrySetResult();
            await (stopped ?? gateway.DisposeAsync().AsTask());
        }
    }

    private static async Task<(HttpStatusCode, JsonNode)> WaitForStoppingAsync(HttpClient admin)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        while (true)
        {
            var (status, body) = await HealthEndpointTests.GetAsync(admin, "readyz");
            if (status != HttpStatusCode.OK || timeout.IsCancellationRequested)
            {
                return (status, body);
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }
}
