using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// Redis crashes (SIGKILL) under a running gateway, then comes back (with AOF): what each FailureMode answers during
/// the outage, and that the gateway reconnects, resubscribes and resyncs on its own with every revocation intact.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class RedisKillTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task Kill_FailureModeClosed_Answers503Fast_RecoversWithRevocationsIntact()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync(appendOnly: true);
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(redis.ConnectionString));
        var alice = ReliabilityRig.NewUser();
        var bob = ReliabilityRig.NewUser();
        var live = rig.Token(alice, sid: "s1", jti: "a1");
        var revoked = rig.Token(bob, sid: "s2", jti: "b1");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", live));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/open/warm", live));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub = bob, sid = "s2" });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/open/warm", revoked)).Reason);

        redis.Kill();

        // Closed (the default): 503 + Retry-After + session_store_unavailable, fast, for warm and cold users alike.
        var cold = rig.Token(ReliabilityRig.NewUser(), sid: "s3");
        foreach (var (path, token) in new[] { ("/api/down", live), ("/api/down", revoked), ("/api/down", cold), ("/closed/down", live) })
        {
            var answer = await ReliabilityRig.GetAsync(gateway, path, token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            Assert.Equal("session_store_unavailable", answer.Reason);
            Assert.False(string.IsNullOrEmpty(answer.RetryAfter));
            Assert.True(answer.Elapsed < ReliabilityRig.RedisTimeout + ReliabilityRig.Margin, $"{path} took {answer}");
            output.WriteLine($"redis killed, Closed, {path}: {answer}");
        }

        // Route metadata FailureMode=Open overrides the default: last-known state, revoked stays refused, cold gets 503.
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/open/down", live));
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/open/down", revoked)).Reason);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReliabilityRig.GetAsync(gateway, "/open/down", cold)).Status);
        Assert.False((await ReliabilityRig.HealthAsync(gateway)).Ready);

        // A revocation cannot be written now: the admin API says so (503 + Retry-After) rather than pretending.
        using (var write = await ReliabilityRig.AdminPostAsync(gateway, "/admin/revoke/session", new { sub = alice, sid = "other" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
            Assert.NotNull(write.Headers.RetryAfter);
        }

        var restart = Stopwatch.StartNew();
        await redis.RestartAsync();
        var redisUp = restart.Elapsed;
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(20));
        var ready = restart.Elapsed;
        await ReliabilityRig.WaitUntilAsync(async () => (await ReliabilityRig.GetAsync(gateway, "/api/up", cold)).Allowed, TimeSpan.FromSeconds(20), "a cold user passes again");
        var serving = restart.Elapsed;
        output.WriteLine($"restart: redis answering after {redisUp.TotalMilliseconds:0} ms, gateway ready after {ready.TotalMilliseconds:0} ms, serving cold users after {serving.TotalMilliseconds:0} ms");

        // The revocation made before the crash survived (AOF) and is enforced; the live session works.
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/up", revoked)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/up", live));
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3401);
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.EventId.Id == 3301);
        Assert.False(rig.BackendSaw(revoked), "a revoked token reached the backend");
    }

    [Fact]
    public async Task Kill_FailureModeOpen_ServesLastKnownWithinMaxStaleness()
    {
        await using var redis = await ReliabilityRig.StartRedisAsync(appendOnly: true);
        var config = rig.CreateConfig(redis.ConnectionString, failureMode: "Open").Set("Gateway:Redis:MaxStaleness", "00:00:02");
        await using var gateway = await ReliabilityRig.StartGatewayAsync(config);
        var alice = ReliabilityRig.NewUser();
        var bob = ReliabilityRig.NewUser();
        var live = rig.Token(alice, sid: "s1", jti: "a1");
        var revoked = rig.Token(bob, sid: "s2", jti: "b1");
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(10));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/token", new { token = revoked });
        var warmed = Stopwatch.StartNew();
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/warm", live));
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/warm", revoked)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/limited/warm", live));

        redis.Kill();

        var cold = rig.Token(ReliabilityRig.NewUser(), sid: "s3");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/down", live));
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/down", revoked)).Reason);
        var coldAnswer = await ReliabilityRig.GetAsync(gateway, "/api/down", cold);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, coldAnswer.Status);
        Assert.True(coldAnswer.Elapsed < ReliabilityRig.RedisTimeout + ReliabilityRig.Margin, $"cold user took {coldAnswer}");
        // Route metadata FailureMode=Closed overrides the default Open; MaxUses routes always fail closed.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReliabilityRig.GetAsync(gateway, "/closed/down", live)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReliabilityRig.GetAsync(gateway, "/limited/down", live)).Status);
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 3002);

        // No longer than MaxStaleness (2 s) after the state was read, the warm user is refused with 503 too.
        await ReliabilityRig.WaitUntilAsync(
            async () => (await ReliabilityRig.GetAsync(gateway, "/api/stale", live)).Status == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(5), "the last-known state expires");
        var staleAfter = warmed.Elapsed;
        output.WriteLine($"Open: last-known state served until {staleAfter.TotalMilliseconds:0} ms after it was read (MaxStaleness 2000 ms)");
        Assert.InRange(staleAfter, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(3.5));
        var stale = await ReliabilityRig.GetAsync(gateway, "/api/stale", revoked);
        Assert.False(stale.Allowed, $"expected a refusal, got {stale}");

        var down = warmed.Elapsed;
        var restart = Stopwatch.StartNew();
        await redis.RestartAsync();
        await ReliabilityRig.WaitReadyAsync(gateway, TimeSpan.FromSeconds(20));
        output.WriteLine($"Open: after {down.TotalSeconds:0.0} s down, gateway ready {restart.Elapsed.TotalMilliseconds:0} ms after the restart began");
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/up", revoked)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/up", live));
        Assert.False(rig.BackendSaw(revoked), "a revoked token reached the backend");
    }
}
