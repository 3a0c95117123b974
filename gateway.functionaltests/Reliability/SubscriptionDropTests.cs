using static Gateway.Testing.TestUsers;
using Gateway.Sessions.Redis;
using System.Diagnostics;
using Gateway.Sessions;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// The pub/sub connection is cut (<c>CLIENT KILL TYPE pubsub</c>) while the data connection stays up: events sent
/// meanwhile are lost, so the local cache must be distrusted at once, and trusted again only after resubscribing.
/// Its first requests must pass under the rig's 250 ms Redis timeout on a fresh instance, so it runs alone
/// (<see cref="TimingSensitiveCollection"/>): once, in the full suite, its first request got 503 after 849 ms.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class SubscriptionDropTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task PubSubKilled_CacheDistrusted_RevocationWrittenDuringDropEnforced_Resubscribes()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        var keys = new RedisKeys("gw:");
        var alice = ReliabilityRig.NewUser();
        var token = rig.Token(alice, sid: "s1");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", token));

        var clock = Stopwatch.StartNew();
        Assert.StartsWith(":", await redis.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub"));
        // Another instance revokes while this one is not listening: its event is lost to this gateway.
        await redis.ExecuteAsync("SET", (string)keys.Session(U(alice), "s1")!, "revoked", "EX", "300");

        var refused = await ReliabilityRig.WaitUntilAsync(
            async () => (await ReliabilityRig.GetAsync(gateway, "/api/drop", token)).Reason == "session_revoked",
            TimeSpan.FromSeconds(5), "the warm token is refused after the drop");
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(20));
        output.WriteLine($"pub/sub killed: cached token refused {refused.TotalMilliseconds:0} ms after the kill; resubscribed and synced {clock.Elapsed.TotalMilliseconds:0} ms after the kill");

        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/after", token)).Reason);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3401 && e.Message.Contains("Subscription", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Backend.Requests, r => r.PathAndQuery.StartsWith("/api/after", StringComparison.Ordinal));

        // Resubscribed: an event published by another instance again reaches this one's cache.
        var bob = ReliabilityRig.NewUser();
        var bobs = rig.Token(bob, sid: "b1");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", bobs));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", bobs));
        await redis.ExecuteAsync("SET", (string)keys.Session(U(bob), "b1")!, "revoked", "EX", "300");
        await redis.ExecuteAsync("PUBLISH", "gw:revocations", new RevocationEvent(RevocationEvent.SessionKind, Issuer, bob, "b1", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).ToJson());
        var lag = await ReliabilityRig.WaitUntilAsync(
            async () => (await ReliabilityRig.GetAsync(gateway, "/api/event", bobs)).Reason == "session_revoked",
            TimeSpan.FromSeconds(1), "an event after resubscribing is applied");
        output.WriteLine($"after resubscribing: a published revocation applied within {lag.TotalMilliseconds:0} ms");
    }
}
