using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Redis restarted without persistence forgets every revocation. With the epoch marker missing the gateway applies
/// a global cut-off: no token issued before the loss passes again, whatever Redis forgot. With AOF nothing is lost.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class DataLossTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task RestartWithoutPersistence_DataLossCutoff_RefusesEveryOlderToken_NewLoginsWork()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync(appendOnly: false);
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        var alice = ReliabilityRig.NewUser();
        var bob = ReliabilityRig.NewUser();
        var carol = ReliabilityRig.NewUser();
        // Issued a little while ago, as every token in use at the moment of a crash was.
        var live = rig.Token(alice, sid: "s1", iat: TimeSpan.FromSeconds(-3));
        var revokedSession = rig.Token(bob, sid: "s2", iat: TimeSpan.FromSeconds(-3));
        var revokedUser = rig.Token(carol, sid: "s3", iat: TimeSpan.FromSeconds(-3));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/before", live));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub = bob, sid = "s2" });
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/user", new { sub = carol });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/before", revokedSession)).Reason);
        Assert.Equal("user_version_stale", (await ReliabilityRig.GetAsync(gateway, "/open/before", revokedUser)).Reason);

        var clock = Stopwatch.StartNew();
        await redis.RestartAsync();
        Assert.Equal("$-1", await redis.ExecuteAsync("GET", "gw:epoch"));

        // Hammer the revoked tokens through reconnect and resync: not one may pass, on either failure mode.
        var answers = new List<ReliabilityRig.Answer>();
        var detected = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            answers.Add(await ReliabilityRig.GetAsync(gateway, "/api/after", revokedSession));
            answers.Add(await ReliabilityRig.GetAsync(gateway, "/open/after", revokedUser));
            var old = await ReliabilityRig.GetAsync(gateway, "/api/after", live);
            if (old.Reason == "store_data_lost")
            {
                detected = clock.Elapsed;
                break;
            }
        }

        Assert.NotEqual(TimeSpan.Zero, detected);
        Assert.DoesNotContain(answers, a => a.Allowed);
        output.WriteLine($"data loss: cut-off enforced {detected.TotalMilliseconds:0} ms after the restart began; {answers.Count} revoked requests during it, answers: " +
            string.Join(", ", answers.GroupBy(a => $"{(int)a.Status} {a.Reason}").Select(g => $"{g.Key} x{g.Count()}")));

        // Its own reason (not user_version_stale): nobody logged these users out, the store forgot.
        Assert.Equal("store_data_lost", (await ReliabilityRig.GetAsync(gateway, "/api/after", revokedSession)).Reason);
        Assert.Equal("store_data_lost", (await ReliabilityRig.GetAsync(gateway, "/open/after", revokedUser)).Reason);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3301 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.NotEqual("$-1", await redis.ExecuteAsync("GET", "gw:epoch"));
        Assert.NotEqual("$-1", await redis.ExecuteAsync("GET", "gw:cutoff"));

        // A new login (a token issued now) works, for every user, the revoked ones included.
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(10));
        foreach (var sub in new[] { alice, bob, carol })
        {
            var fresh = rig.Token(sub, sid: "new-" + sub);
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/relogin", fresh), $"new login of {sub}");
        }

        Assert.False(rig.BackendSaw(revokedSession));
        Assert.False(rig.BackendSaw(revokedUser));
    }

    [Fact]
    public async Task RestartWithAof_RevocationsSurvive_NoCutoff()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync(appendOnly: true);
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        var alice = ReliabilityRig.NewUser();
        var bob = ReliabilityRig.NewUser();
        var live = rig.Token(alice, sid: "s1", jti: "a1", iat: TimeSpan.FromSeconds(-3));
        var revokedToken = rig.Token(alice, sid: "s1", jti: "a0", iat: TimeSpan.FromSeconds(-3));
        var revokedUser = rig.Token(bob, sid: "s2", iat: TimeSpan.FromSeconds(-3));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/token", new { token = revokedToken });
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/user", new { sub = bob });

        var clock = Stopwatch.StartNew();
        await redis.RestartAsync();
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(20));
        output.WriteLine($"AOF restart: gateway ready {clock.Elapsed.TotalMilliseconds:0} ms after the restart began");

        Assert.Equal("seeded-by-test", await redis.ExecuteAsync("GET", "gw:epoch"));
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/after", revokedToken)).Reason);
        Assert.Equal("user_version_stale", (await ReliabilityRig.GetAsync(gateway, "/api/after", revokedUser)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/after", live));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.EventId.Id is 3301 or 3302);
        Assert.False(rig.BackendSaw(revokedToken));
        Assert.False(rig.BackendSaw(revokedUser));
    }
}
