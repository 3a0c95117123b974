using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Redis stops answering without dropping connections (<c>CLIENT PAUSE</c>, as a stuck or overloaded server would):
/// no request waits longer than the Redis timeout, and the gateway serves normally once Redis answers again.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class RedisHangTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task ClientPause_ColdUsersGet503WithinTimeout_WarmUsersServedFromCache_RecoversAfter()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        var warm = rig.Token(ReliabilityRig.NewUser(), sid: "s1");
        var revokedSub = ReliabilityRig.NewUser();
        var revoked = rig.Token(revokedSub, sid: "s2");
        var limited = rig.Token(ReliabilityRig.NewUser(), sid: "s3", jti: "j-limited");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", warm));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/limited/warm", limited));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub = revokedSub, sid = "s2" });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/warm", revoked)).Reason);

        const int pauseMs = 3000;
        Assert.Equal("+OK", await redis.ExecuteAsync("CLIENT", "PAUSE", pauseMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "ALL"));
        var paused = Stopwatch.StartNew();

        // Cold users need a round trip: 503 within the timeout, never a hang.
        var answers = new List<ReliabilityRig.Answer>();
        for (var i = 0; i < 4; i++)
        {
            var answer = await ReliabilityRig.GetAsync(gateway, "/api/hang", rig.Token(ReliabilityRig.NewUser(), sid: "cold"));
            answers.Add(answer);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            Assert.Equal("session_store_unavailable", answer.Reason);
            Assert.True(answer.Elapsed < ReliabilityRig.RedisTimeout + ReliabilityRig.Margin, $"a cold request during the hang took {answer}");
        }

        // Concurrent cold requests are bounded the same way.
        var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            ReliabilityRig.GetAsync(gateway, "/api/hang", rig.Token(ReliabilityRig.NewUser(), sid: "cold"))));
        Assert.All(burst, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status));
        Assert.All(burst, a => Assert.True(a.Elapsed < ReliabilityRig.RedisTimeout + ReliabilityRig.Margin, $"a concurrent cold request took {a}"));
        answers.AddRange(burst);
        output.WriteLine($"CLIENT PAUSE: cold requests answered 503 in {answers.Min(a => a.Elapsed).TotalMilliseconds:0}..{answers.Max(a => a.Elapsed).TotalMilliseconds:0} ms (timeout {ReliabilityRig.RedisTimeout.TotalMilliseconds:0} ms)");

        // Warm users are judged from the local cache while pub/sub is up (no round trip): the revoked one stays refused.
        var warmDuring = await ReliabilityRig.GetAsync(gateway, "/api/hang", warm);
        var revokedDuring = await ReliabilityRig.GetAsync(gateway, "/api/hang", revoked);
        output.WriteLine($"CLIENT PAUSE: warm live user {warmDuring}, warm revoked user {revokedDuring}");
        Assert.NotEqual(HttpStatusCode.OK, revokedDuring.Status);

        // A warm user's state is cached, but a MaxUses route counts in the store: its rule meets the hang, and that is a
        // 503 within the timeout too, not an error.
        var limitedDuring = await ReliabilityRig.GetAsync(gateway, "/limited/hang", limited);
        output.WriteLine($"CLIENT PAUSE: warm user on a MaxUses route {limitedDuring}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, limitedDuring.Status);
        Assert.Equal("session_store_unavailable", limitedDuring.Reason);
        Assert.True(limitedDuring.Elapsed < ReliabilityRig.RedisTimeout + ReliabilityRig.Margin, $"a MaxUses request during the hang took {limitedDuring}");

        await ReliabilityRig.WaitUntilAsync(
            async () => (await ReliabilityRig.GetAsync(gateway, "/api/after", rig.Token(ReliabilityRig.NewUser(), sid: "cold"))).Allowed,
            TimeSpan.FromSeconds(20), "cold users pass after the pause");
        output.WriteLine($"CLIENT PAUSE {pauseMs} ms: cold users served again {paused.Elapsed.TotalMilliseconds:0} ms after the pause began");
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(10));
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/after", revoked)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/after", warm));
        Assert.False(rig.BackendSaw(revoked));
    }
}
