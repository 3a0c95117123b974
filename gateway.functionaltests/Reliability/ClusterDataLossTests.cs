using System.Diagnostics;
using Gateway.Sessions.Redis;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Testing.TestUsers;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Redis Cluster: a master that does not hold <c>gw:epoch</c> restarts empty (no replica, no AOF). Its users'
/// revocations are gone; the gateway notices through that master's own marker and applies the global cut-off
/// everywhere. Its own cluster (the cut-off it leaves behind would disturb the other cluster tests).
/// </summary>
public sealed class ClusterDataLossTests(RedisCluster cluster, ReliabilityRig rig, ITestOutputHelper output)
    : IClassFixture<RedisCluster>, IClassFixture<ReliabilityRig>
{
    private static readonly RedisKeys Keys = new("gw:");

    [Fact]
    public async Task MasterWithoutTheEpochMarker_RestartsEmpty_CutoffRefusesOlderTokens_NewLoginsPass()
    {
        await cluster.ExecuteAsync("SET", "gw:epoch", "seeded-by-test");
        var epochMaster = await cluster.OwnerAsync("gw:epoch");
        var lostMaster = cluster.Nodes.First(n => n.Port != epochMaster.Port);

        // One user whose keys live on the master that will lose its data, one on the master of the epoch marker.
        var victim = await UserOnAsync(lostMaster);
        var bystander = await UserOnAsync(epochMaster);

        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(cluster.ConnectionString));
        var revoked = rig.Token(victim, sid: "s1", iat: TimeSpan.FromSeconds(-3));
        var victimLive = rig.Token(victim, sid: "s2", iat: TimeSpan.FromSeconds(-3));
        var bystanderLive = rig.Token(bystander, sid: "s3", iat: TimeSpan.FromSeconds(-3));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/before", victimLive));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/before", bystanderLive));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub = victim, sid = "s1" });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/before", revoked)).Reason);

        var clock = Stopwatch.StartNew();
        await lostMaster.RestartAsync();
        var restarted = clock.Elapsed;

        // The revoked session must never pass, through reconnect and resync, until the cut-off is enforced.
        var answers = new List<ReliabilityRig.Answer>();
        var detected = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            answers.Add(await ReliabilityRig.GetAsync(gateway, "/api/after", revoked));
            if ((await ReliabilityRig.GetAsync(gateway, "/api/after", bystanderLive)).Reason == "store_data_lost")
            {
                detected = clock.Elapsed;
                break;
            }

            await Task.Delay(10);
        }

        output.WriteLine($"cluster master (not holding gw:epoch) restarted empty: redis back {restarted.TotalMilliseconds:0} ms, cut-off enforced " +
            $"{detected.TotalMilliseconds:0} ms after the restart began; revoked-session answers meanwhile: " +
            string.Join(", ", answers.GroupBy(a => $"{(int)a.Status} {a.Reason}").Select(g => $"{g.Key} x{g.Count()}")));
        Assert.DoesNotContain(answers, a => a.Allowed);
        Assert.NotEqual(TimeSpan.Zero, detected);

        // Every token issued before the loss is refused, on every master's users; a brand-new token passes.
        Assert.Equal("store_data_lost", (await ReliabilityRig.GetAsync(gateway, "/api/after", revoked)).Reason);
        Assert.Equal("store_data_lost", (await ReliabilityRig.GetAsync(gateway, "/api/after", victimLive)).Reason);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3301 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.NotEqual("$-1", await cluster.ExecuteAsync("GET", "gw:cutoff"));

        // The restarted master really lost the revocation; the epoch marker's master did not lose its marker.
        await cluster.WaitForStateOkAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(":0", await cluster.ExecuteAsync("EXISTS", (string)Keys.Session(U(victim), "s1")!));
        Assert.Equal("seeded-by-test", await cluster.ExecuteAsync("GET", "gw:epoch"));
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(10));
        foreach (var sub in new[] { victim, bystander })
        {
            var fresh = rig.Token(sub, sid: "new-" + sub);
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/relogin", fresh), $"new login of {sub}");
        }

        Assert.False(rig.BackendSaw(revoked));
    }

    private async Task<string> UserOnAsync(RedisServer master)
    {
        for (var i = 0; i < 1000; i++)
        {
            var sub = ReliabilityRig.NewUser();
            if ((await cluster.OwnerAsync((string)Keys.Version(U(sub))!)).Port == master.Port)
            {
                return sub;
            }
        }

        throw new InvalidOperationException("no user found on that master");
    }
}
