using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.FunctionalTests.Reliability;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Connections;

/// <summary>Without Redis, the embedded store's own writes close the single instance's connections.</summary>
public sealed class EmbeddedStoreConnectionTests(StreamingRig rig, ITestOutputHelper output) : IClassFixture<StreamingRig>
{
    [Fact]
    public async Task SessionRevoked_EmbeddedStore_WebSocketGetsClose4001()
    {
        await using var gateway = await GatewayHost.StartAsync(rig.CreateConfig(redis: null));

        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(gateway, "/ws/chat", rig.Token(sub, sid: "s1"));
        Assert.Equal(1, StreamingRig.Guarded(gateway));
        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub, sid = "s1" });
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"embedded store: session revoked -> close frame after {at.TotalMilliseconds:0.0} ms");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("session_revoked", reason);
        Assert.True(at < StreamingRig.LagBound, $"closed after {at.TotalMilliseconds:0} ms");
        await ReliabilityRig.WaitUntilAsync(() => Task.FromResult(StreamingRig.Guarded(gateway) == 0), TimeSpan.FromSeconds(5), "no guarded connection left");

        // The close is logged (event 2101) and, past the embedded store's start-up notice (3101), nothing at Warning or
        // above, from the gateway or YARP: a close the gateway makes is not a proxy error.
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 2101 && e.Message.Contains("session_revoked", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.EventId.Id != 3101);
    }
}
