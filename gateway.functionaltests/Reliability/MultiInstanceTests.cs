using System.Diagnostics;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Two gateway instances share one Redis. Both hold the user's state in their local caches; a revocation through
/// instance 1's admin API reaches instance 2 through pub/sub within the propagation bound.
/// It asserts a wall-clock bound, so it runs alone, after the parallel tests (<see cref="TimingSensitiveCollection"/>):
/// once, in the full suite on a 2-core host, instance 2 first refused 622 ms after the admin answer, and that admin call
/// took six times its usual time (alone, the same test measures 1–20 ms after the answer).
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class MultiInstanceTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    /// <summary>DESIGN.md: "a revocation reaches every instance within milliseconds"; asserted with room for a busy CI box.</summary>
    public static readonly TimeSpan PropagationBound = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task TwoInstances_RevokeThroughOne_OtherRefusesWithinBound()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync();
        await using var one = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        await using var two = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));

        var lags = await MeasureAsync(rig, one, two);

        output.WriteLine("two instances, one redis: revocation lag (admin call sent to 1 -> first refusal on 2): " +
            string.Join(", ", lags.Select(l => $"{l.Kind} {l.Lag.TotalMilliseconds:0.0} ms (admin call {l.AdminCall.TotalMilliseconds:0.0} ms of it)")));
        // The event is published before the admin call answers; what is left after the answer is pub/sub + the poll.
        Assert.All(lags, l => Assert.True(l.Lag - l.AdminCall < PropagationBound, $"{l.Kind}: instance 2 refused {(l.Lag - l.AdminCall).TotalMilliseconds:0} ms after the admin answer"));
    }

    /// <summary>
    /// Warms both instances with the same tokens (each serves them from its cache afterwards), revokes a session, a
    /// token and a user through instance 1 and measures, for each, how long until instance 2 refuses.
    /// </summary>
    internal static async Task<IReadOnlyList<(string Kind, TimeSpan Lag, TimeSpan AdminCall)>> MeasureAsync(ReliabilityRig rig, GatewayHost one, GatewayHost two)
    {
        var sub = ReliabilityRig.NewUser();
        var session = rig.Token(sub, sid: "s1", jti: "t1");
        var token = rig.Token(sub, sid: "s2", jti: "t2");
        var user = rig.Token(sub, sid: "s3", jti: "t3", iat: TimeSpan.FromSeconds(-2));
        var cases = new (string Kind, string Token, string Path, object Body, string Reason)[]
        {
            ("session", session, "/admin/revoke/session", new { sub, sid = "s1" }, "session_revoked"),
            ("token", token, "/admin/revoke/token", new { token }, "token_revoked"),
            ("user", user, "/admin/revoke/user", new { sub }, "user_version_stale"),
        };

        // Twice on each instance: the first read installs the state, the second is answered from the cache.
        foreach (var gateway in new[] { one, two })
        {
            foreach (var c in cases)
            {
                ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", c.Token));
                ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", c.Token));
            }
        }

        var lags = new List<(string, TimeSpan, TimeSpan)>();
        foreach (var c in cases)
        {
            // From sending the admin call (so the admin round trip counts too) to instance 2's first refusal.
            var clock = Stopwatch.StartNew();
            await ReliabilityRig.AdminOkAsync(one, c.Path, c.Body);
            var answered = clock.Elapsed;
            while ((await ReliabilityRig.GetAsync(two, "/api/poll", c.Token)).Reason != c.Reason)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"instance 2 still accepts after {c.Kind} revocation");
            }

            lags.Add((c.Kind, clock.Elapsed, answered));
            Assert.Equal(c.Reason, (await ReliabilityRig.GetAsync(one, "/api/after", c.Token)).Reason);
        }

        return lags;
    }
}
