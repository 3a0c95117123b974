using System.Diagnostics;
using Gateway.Sessions.Redis;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Testing.TestUsers;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Rate-spike detection counts a token's uses across every instance sharing one Redis: a stolen token spread over
/// several instances gets the same limit as on one. Each instance counts locally and merges its counts into Redis
/// every <c>RateSpike:FlushInterval</c>; a token over the threshold cluster-wide is revoked, everywhere.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class CrossInstanceRateSpikeTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    private const int Threshold = 10;

    [Fact]
    public async Task TokenSpreadOverTwoInstances_OverThresholdTogether_RevokedOnBoth()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        await using var one = await ReliabilityRig.StartGatewayAsync(Config(redis));
        await using var two = await ReliabilityRig.StartGatewayAsync(Config(redis));
        var sub = ReliabilityRig.NewUser();
        var token = rig.Token(sub, sid: "s1", jti: "spread-1");
        var other = rig.Token(sub, sid: "s1", jti: "calm-1");

        // N/2 + 1 uses on each instance: neither alone goes over N, together they do.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Threshold / 2 + 1; i++)
        {
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(one, "/api/x", token), $"use {i + 1} on instance 1");
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/x", token), $"use {i + 1} on instance 2");
        }

        var sent = clock.Elapsed;

        // Wait on Redis, not by sending more requests (they would count, and one instance alone would go over N).
        var key = (string)new RedisKeys("gw:").Token(U(sub), "spread-1")!;
        await ReliabilityRig.WaitUntilAsync(async () => await redis.ExecuteAsync("GET", key) != "$-1", TimeSpan.FromSeconds(10),
            "the token is denylisted in Redis");
        var revoked = clock.Elapsed;
        Assert.Equal("rate_spike", await redis.ExecuteAsync("GET", key));

        // The revocation reaches both instances through pub/sub: each refuses at its next use (7 uses each, still <= N).
        // The instance that did not write it hears of it a moment later; asked at once, it lost the race once under a
        // loaded CI run. Half a second is ten times the revocation-lag bound (p99 <= 50 ms).
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var answerOne = await ReliabilityRig.GetAsync(one, "/api/after", token);
        var answerTwo = await ReliabilityRig.GetAsync(two, "/api/after", token);
        output.WriteLine($"{2 * (Threshold / 2 + 1)} uses over two instances (threshold {Threshold}) sent in {sent.TotalMilliseconds:0} ms; " +
            $"denylisted (rate_spike) {revoked.TotalMilliseconds:0} ms after the first use, {(revoked - sent).TotalMilliseconds:0} ms after the last");
        Assert.Equal("token_revoked", answerOne.Reason);
        Assert.Equal("token_revoked", answerTwo.Reason);
        Assert.DoesNotContain(rig.Backend.RequestsTo("/api/after"), r => r.Header("Authorization") == "Bearer " + token);

        // Only that token: another token of the same user, used calmly, still passes on both.
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(one, "/api/x", other));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(two, "/api/x", other));
    }

    private GatewayConfig Config(RedisServer redis) => rig.CreateConfig(redis.ConnectionString)
        .Set("Gateway:Sessions:RateSpike:Enabled", true)
        .Set("Gateway:Sessions:RateSpike:Threshold", Threshold)
        .Set("Gateway:Sessions:RateSpike:Window", "00:01:00");
}
