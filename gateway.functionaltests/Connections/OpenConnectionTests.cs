using System.Diagnostics;
using System.Net.WebSockets;
using Gateway.Sessions.Redis;
using Gateway.FunctionalTests.Reliability;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Connections;

/// <summary>
/// "A WebSocket or stream opened before logout: the gateway closes it when its token, session or user is revoked."
/// Clients connect through instance 2; revocations go through instance 1's admin API and reach instance 2 over Redis.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class OpenConnectionTests(ConnectionRig rig, ITestOutputHelper output) : IClassFixture<ConnectionRig>
{
    [Fact]
    public async Task SessionRevokedOnOneInstance_WebSocketOnTheOther_GetsClose4001WithinBound()
    {
        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "s1"));

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/session", new { sub, sid = "s1" });
        var answered = clock.Elapsed;
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"session revoked through instance 1 -> close frame on instance 2's WebSocket: {at.TotalMilliseconds:0.0} ms (admin call {answered.TotalMilliseconds:0.0} ms of it)");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("session_revoked", reason);
        Assert.True(at < StreamingRig.LagBound, $"closed after {at.TotalMilliseconds:0} ms");
        await WaitUnguardedAsync(rig.Two);
    }

    [Fact]
    public async Task UserRevoked_EveryWebSocketOfTheUser_Closes()
    {
        var sub = StreamingRig.NewUser();
        // Issued before the cut-off second the revocation sets.
        using var phone = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "phone", iat: TimeSpan.FromSeconds(-2)));
        using var laptop = await StreamingRig.ConnectAsync(rig.One, "/ws/chat", rig.Token(sub, sid: "laptop", iat: TimeSpan.FromSeconds(-2)));
        using var other = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(StreamingRig.NewUser(), sid: "x"));

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/user", new { sub });
        var closes = await Task.WhenAll(
            StreamingRig.WaitForCloseAsync(phone, clock, TimeSpan.FromSeconds(10)),
            StreamingRig.WaitForCloseAsync(laptop, clock, TimeSpan.FromSeconds(10)));

        output.WriteLine($"user revoked through instance 1 -> close frames: instance 2 {closes[0].At.TotalMilliseconds:0.0} ms, instance 1 {closes[1].At.TotalMilliseconds:0.0} ms");
        Assert.All(closes, c =>
        {
            Assert.Equal((WebSocketCloseStatus)4001, c.Status);
            Assert.Equal("user_version_stale", c.Reason);
            Assert.True(c.At < StreamingRig.LagBound, $"closed after {c.At.TotalMilliseconds:0} ms");
        });

        // Another user's connection is untouched.
        Assert.Equal("still here", await StreamingRig.EchoAsync(other, "still here"));
    }

    [Fact]
    public async Task TokenRevoked_WebSocketClosesOnlyAfterTheGrace()
    {
        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "s1", jti: "old"));

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/token", new { sub, jti = "old", exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() });

        // A refresh: the client still uses its stream during the grace.
        await Task.Delay(StreamingRig.TokenGrace / 2);
        Assert.Equal("during grace", await StreamingRig.EchoAsync(socket, "during grace"));
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"token revoked through instance 1 -> close frame on instance 2 after {at.TotalMilliseconds:0.0} ms (grace {StreamingRig.TokenGrace.TotalMilliseconds:0} ms, sweep every 1 s)");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("token_revoked", reason);
        Assert.True(at >= StreamingRig.TokenGrace, $"closed after {at.TotalMilliseconds:0} ms, inside the grace");
        Assert.True(at < StreamingRig.TokenGrace + TimeSpan.FromSeconds(1) + StreamingRig.LagBound, $"closed after {at.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task TokenRevokedThenSessionRevoked_DuringTheGrace_ClosesAtOnce()
    {
        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "s1", jti: "old"));
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/token", new { sub, jti = "old", exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds() });

        // The grace is for a refresh; a logout during it is not one.
        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/session", new { sub, sid = "s1" });
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("session_revoked", reason);
        Assert.True(at < StreamingRig.TokenGrace, $"closed after {at.TotalMilliseconds:0} ms: the session revocation waited for the token's grace");
    }

    [Fact]
    public async Task TokenExpires_OnCloseOnExpiryRoute_WebSocketCloses()
    {
        var sub = StreamingRig.NewUser();
        var exp = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        using var socket = await StreamingRig.ConnectAsync(rig.Two, "/expiring/chat", rig.Token(sub, sid: "s1", exp: exp));
        using var plain = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "s2", exp: exp));

        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"token with exp +2 s on a CloseOnExpiry route: closed {at.TotalMilliseconds:0.0} ms after it was minted");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("token_expired", reason);
        // exp is whole seconds and the sweep ticks every second.
        Assert.True(at < exp + TimeSpan.FromSeconds(1) + StreamingRig.LagBound, $"closed after {at.TotalMilliseconds:0} ms");

        // Without CloseOnExpiry (the default) an expired token's connection stays.
        Assert.Equal("after exp", await StreamingRig.EchoAsync(plain, "after exp"));
    }

    [Fact]
    public async Task SessionRevoked_EventStream_Ends()
    {
        var sub = StreamingRig.NewUser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/events/feed");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + rig.Token(sub, sid: "s1"));
        request.Headers.TryAddWithoutValidation("Accept", "text/event-stream");
        using var response = await rig.Two.PublicClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: tick", await reader.ReadLineAsync());
        Assert.Equal(1, StreamingRig.Guarded(rig.Two));

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/session", new { sub, sid = "s1" });
        var ended = await ReadUntilEndAsync(reader, TimeSpan.FromSeconds(10));
        var at = clock.Elapsed;

        output.WriteLine($"session revoked through instance 1 -> instance 2's event stream ended ({ended}) after {at.TotalMilliseconds:0.0} ms");
        Assert.True(at < StreamingRig.LagBound, $"ended after {at.TotalMilliseconds:0} ms");
        await WaitUnguardedAsync(rig.Two);
    }

    [Fact]
    public async Task CloseOnRevocationTrue_LongPlainRequestIsAborted_WhileAnOrdinaryOneIsNeverRegistered()
    {
        var sub = StreamingRig.NewUser();
        var token = rig.Token(sub, sid: "s1");
        using var plain = await OpenSlowAsync("/ws/slow", token);
        Assert.Equal(0, StreamingRig.Guarded(rig.Two)); // a plain request on a default route: not registered
        using var guarded = await OpenSlowAsync("/guarded/slow", token);
        Assert.Equal(1, StreamingRig.Guarded(rig.Two));

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/session", new { sub, sid = "s1" });
        var ended = await ReadUntilEndAsync(guarded.Reader, TimeSpan.FromSeconds(10));

        output.WriteLine($"CloseOnRevocation=true: a long plain request ended ({ended}) {clock.Elapsed.TotalMilliseconds:0} ms after the admin call");
        Assert.True(clock.Elapsed < StreamingRig.LagBound);
        await WaitUnguardedAsync(rig.Two);
    }

    [Fact]
    public async Task CloseOnRevocationFalse_ConnectionStaysOpen()
    {
        var sub = StreamingRig.NewUser();
        var token = rig.Token(sub, sid: "s1");
        using var kept = await StreamingRig.ConnectAsync(rig.Two, "/keep/chat", token);
        using var guarded = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", token);

        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(rig.One, "/admin/revoke/session", new { sub, sid = "s1" });

        // The revocation did arrive: the guarded route's connection closed ...
        var (_, reason, _) = await StreamingRig.WaitForCloseAsync(guarded, clock, TimeSpan.FromSeconds(10));
        Assert.Equal("session_revoked", reason);
        await Task.Delay(500);

        // ... and the CloseOnRevocation=false one is still open. New requests with the token are refused, as always.
        Assert.Equal("kept", await StreamingRig.EchoAsync(kept, "kept"));
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(rig.Two, "/keep/x", token)).Reason);
    }

    [Fact]
    public async Task RevocationLostWhileSubscriptionDown_ConnectionClosedOnResync()
    {
        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(rig.Two, "/ws/chat", rig.Token(sub, sid: "s1"));

        // Both instances lose their subscription; a revocation written meanwhile (by another service, say) sends no
        // event they could hear. Until Redis answers again the connection stays open; on resync it is judged again.
        var clock = Stopwatch.StartNew();
        Assert.StartsWith(":", await rig.Redis.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        await rig.Redis.ExecuteAsync("SET", (string)new RedisKeys("gw:").Session(TestUsers.U(sub), "s1")!, "revoked", "EX", "300");
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(20));
        await ReliabilityRig.WaitReadyAsync(rig.One, TimeSpan.FromSeconds(20));
        await ReliabilityRig.WaitReadyAsync(rig.Two, TimeSpan.FromSeconds(20));

        output.WriteLine($"pub/sub killed, session revoked without an event: connection closed on resync, {at.TotalMilliseconds:0} ms after the kill");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("session_revoked", reason);
    }

    [Fact]
    public async Task RevocationWrittenWithoutAnyEvent_ConnectionClosedByThePeriodicRejudge()
    {
        var config = rig.CreateConfig(rig.Redis.ConnectionString)
            .Set("Gateway:Connections:RejudgeInterval", "00:00:01")
            .Set("Gateway:Sessions:MaxStaleness", "00:00:01");
        await using var gateway = await ReliabilityRig.StartGatewayAsync(config);
        var sub = StreamingRig.NewUser();
        using var socket = await StreamingRig.ConnectAsync(gateway, "/ws/chat", rig.Token(sub, sid: "s1"));

        // Written straight to Redis, no event published: nothing tells the gateway, the periodic re-judge finds it.
        var clock = Stopwatch.StartNew();
        await rig.Redis.ExecuteAsync("SET", (string)new RedisKeys("gw:").Session(TestUsers.U(sub), "s1")!, "revoked", "EX", "300");
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"session revoked without an event: closed by the periodic re-judge after {at.TotalMilliseconds:0} ms (RejudgeInterval and MaxStaleness 1 s)");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("session_revoked", reason);
        Assert.True(at < TimeSpan.FromSeconds(4), $"closed after {at.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task RedisLosesItsData_ConnectionsOpenedBefore_CloseWithStoreDataLost()
    {
        // Its own Redis and gateway: the data-loss cut-off refuses every token issued before it.
        await using var redis = await ReliabilityRig.StartRedisAsync();
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString).Set("Gateway:Redis:EpochCheckInterval", "00:00:01"));
        using var socket = await StreamingRig.ConnectAsync(gateway, "/ws/chat", rig.Token(StreamingRig.NewUser(), sid: "s1", iat: TimeSpan.FromSeconds(-2)));

        var clock = Stopwatch.StartNew();
        await redis.FlushAsync();
        var (status, reason, at) = await StreamingRig.WaitForCloseAsync(socket, clock, TimeSpan.FromSeconds(10));

        output.WriteLine($"FLUSHALL: the epoch check found the loss and the connection closed {at.TotalMilliseconds:0} ms later (EpochCheckInterval 1 s)");
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("store_data_lost", reason);
    }

    private async Task<SlowResponse> OpenSlowAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var response = await rig.Two.PublicClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("started", await reader.ReadLineAsync());
        return new SlowResponse(response, reader);
    }

    private static async Task<string> ReadUntilEndAsync(StreamReader reader, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await reader.ReadLineAsync(cancel.Token) is not null)
            {
            }

            return "end of stream";
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return ex.GetType().Name;
        }
    }

    private static Task<TimeSpan> WaitUnguardedAsync(GatewayHost gateway) =>
        ReliabilityRig.WaitUntilAsync(() => Task.FromResult(StreamingRig.Guarded(gateway) == 0), TimeSpan.FromSeconds(5), "no guarded connection left");
}
