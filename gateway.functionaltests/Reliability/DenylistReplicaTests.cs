using System.Diagnostics;
using System.Globalization;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// The per-instance denylist replica on a real redis-server and two gateways: a new token of a warm user costs no Redis
/// round trip, yet a jti revoked anywhere (before or after this instance warmed up) is refused.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class DenylistReplicaTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task NewJtiOfAWarmUser_NoRedisRead_RevokedJtisStillRefused()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        var sub = ReliabilityRig.NewUser();

        // Revoked before this instance starts: only the loaded replica can know it.
        await using (var early = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString)))
        {
            // Before its Redis connection is up a gateway answers an admin write 503 (fail closed): wait for it.
            await ReliabilityRig.WaitReadyAsync(early, TimeSpan.FromSeconds(10));
            await ReliabilityRig.AdminOkAsync(early, "/admin/revoke/token", new { sub, jti = "early", exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds() });
        }

        await using var one = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        await using var two = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        await ReliabilityRig.WaitReadyAsync(one, TimeSpan.FromSeconds(10));
        await ReliabilityRig.WaitReadyAsync(two, TimeSpan.FromSeconds(10));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/warm", rig.Token(sub, jti: "warm-1")));

        // Ten new jtis of the warm user: answered without a single MGET.
        var before = await ReadCallsAsync(redis);
        Assert.True(before > 0, "the warm-up read is counted (the counter works)");
        for (var i = 0; i < 10; i++)
        {
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/new", rig.Token(sub, jti: "new-" + i)));
        }

        var reads = await ReadCallsAsync(redis) - before;
        output.WriteLine($"10 new tokens of a warm user: {reads} Redis reads");
        Assert.Equal(0, reads);

        // The jti revoked before this instance started is in its replica: confirmed in Redis and refused.
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(two, "/api/early", rig.Token(sub, jti: "early"))).Reason);

        // A jti revoked on instance 1 now, never seen by instance 2: refused there within the propagation bound.
        var clock = Stopwatch.StartNew();
        await ReliabilityRig.AdminOkAsync(one, "/admin/revoke/token", new { sub, jti = "late", exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds() });
        var admin = clock.Elapsed;
        await ReliabilityRig.WaitUntilAsync(
            async () => (await ReliabilityRig.GetAsync(two, "/api/late", rig.Token(sub, jti: "late"))).Reason == "token_revoked",
            MultiInstanceTests.PropagationBound + admin, "the late revocation reaches instance 2");
        output.WriteLine($"revoked on 1, refused on 2 after {clock.Elapsed.TotalMilliseconds:0} ms (admin call {admin.TotalMilliseconds:0} ms)");
        Assert.DoesNotContain(rig.Backend.Requests, r => r.PathAndQuery.StartsWith("/api/early", StringComparison.Ordinal) || r.PathAndQuery.StartsWith("/api/late", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefreshedTokensOfAWarmSession_NoRedisRead_OnEitherInstance()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        var sub = ReliabilityRig.NewUser();
        await using var one = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        await using var two = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        await ReliabilityRig.WaitReadyAsync(one, TimeSpan.FromSeconds(10));
        await ReliabilityRig.WaitReadyAsync(two, TimeSpan.FromSeconds(10));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(one, "/api/warm", rig.Token(sub, sid: "s1", jti: "t0", iat: TimeSpan.FromSeconds(-90))));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/warm", rig.Token(sub, sid: "s1", jti: "t0", iat: TimeSpan.FromSeconds(-90))));
        await Task.Delay(300);

        // The session's first sighting publishes a seen event too; a read in flight when it lands is discarded (it may
        // predate the write), so warm both again once it has landed: from here on the state is steady.
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(one, "/api/warm", rig.Token(sub, sid: "s1", jti: "t0", iat: TimeSpan.FromSeconds(-90))));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/warm", rig.Token(sub, sid: "s1", jti: "t0", iat: TimeSpan.FromSeconds(-90))));

        // Five refreshes of the session, each newer than the last: every one moves the session's newest iat in the
        // inventory (a write and a `seen` event), which both instances apply to their cached state instead of re-reading.
        var before = await ReadCallsAsync(redis);
        for (var i = 1; i <= 5; i++)
        {
            var token = rig.Token(sub, sid: "s1", jti: "t" + i, iat: TimeSpan.FromSeconds(-90 + (i * 10)));
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(i % 2 == 0 ? one : two, "/api/refreshed", token));
            await Task.Delay(300);
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(one, "/api/again", token));
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/again", token));
        }

        var reads = await ReadCallsAsync(redis) - before;
        output.WriteLine($"5 refreshed tokens of a warm session, 15 requests on two instances: {reads} Redis reads");
        Assert.Equal(0, reads);
    }

    private static async Task<long> ReadCallsAsync(RedisServer redis)
    {
        // INFO commandstats: "cmdstat_mget:calls=12,usec=..." (one MGET per session read).
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var info = await connection.GetServers()[0].InfoRawAsync("commandstats");
        var line = info!.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_mget:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture);
    }
}
