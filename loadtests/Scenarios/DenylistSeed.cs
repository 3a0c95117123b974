using System.Globalization;
using Gateway.Sessions;
using Gateway.Sessions.Redis;
using Gateway.Tokens;
using LoadTests.Engine;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LoadTests.Scenarios;

/// <summary>
/// Denylists many <c>jti</c>s the way README's "a service writing denylist keys directly" does: per id the
/// <c>gw:{iss|sub}:jti:&lt;jti&gt;</c> key with its TTL, its member in the <c>gw:denylist</c> index, and the token event on
/// <c>gw:revocations</c> (what the admin API writes per call, pipelined here in batches). The gateway's replica takes each
/// from its event, as it would in production; the seed waits for it (the <c>gateway.denylist.replica.entries</c> gauge) so
/// the pub/sub backlog stays far below Redis's subscriber output-buffer limit.
/// </summary>
internal sealed class DenylistSeed
{
    private const int Batch = 5_000;
    private const long MaxBacklog = 50_000;

    private readonly string _redis;
    private readonly ReplicaGauge _gauge;
    private readonly int _gatewayPid;

    public DenylistSeed(string redisConfiguration, ReplicaGauge gauge, int gatewayPid)
    {
        _redis = redisConfiguration;
        _gauge = gauge;
        _gatewayPid = gatewayPid;
    }

    /// <summary>The subject of user <paramref name="k"/> of a memory run (the same users the memory scenario's live tokens have).</summary>
    public static string Subject(string runId, long k) => $"mem-{runId}-{k}";

    /// <summary>The denylisted (previous) token id of user <paramref name="k"/>.</summary>
    public static string DeniedTokenId(long k) => $"mr-{k}";

    /// <summary>Denylists <paramref name="count"/> jtis expiring at <paramref name="exp"/>; returns the gateway's peak RSS meanwhile (MB).</summary>
    public async Task<double> RunAsync(string issuer, string runId, long count, long exp, TextWriter output, CancellationToken cancellationToken)
    {
        var keys = new RedisKeys("gw:");
        var lifetime = new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions()));
        var until = lifetime.Until(exp);
        var ttl = lifetime.Remaining(exp);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis);
        var db = redis.GetDatabase();
        var publisher = redis.GetSubscriber();
        var before = (await _gauge.ReadAsync(cancellationToken)).Entries;
        var peak = ProcessSampler.RssMb(_gatewayPid) ?? 0;
        var tasks = new List<Task>(Batch * 3);
        for (long start = 1; start <= count; start += Batch)
        {
            tasks.Clear();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var k = start; k < start + Batch && k <= count; k++)
            {
                var user = new UserKey(issuer, Subject(runId, k));
                var jti = DeniedTokenId(k);
                var hash = DenylistHash.Token(user, jti);
                tasks.Add(db.SortedSetAddAsync(keys.Denylist, DenylistHash.Member(hash), until, SortedSetWhen.GreaterThan));
                tasks.Add(db.StringSetAsync(keys.Token(user, jti), "revoked", ttl));
                tasks.Add(publisher.PublishAsync(keys.Channel, (RevocationEvent.For(RevocationEvent.TokenKind, user, jti, now) with { Until = until }).ToJson()));
            }

            await Task.WhenAll(tasks);
            var published = Math.Min(count, start + Batch - 1);
            peak = Math.Max(peak, ProcessSampler.RssMb(_gatewayPid) ?? 0);
            if (published % 100_000 < Batch || published == count)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"memory: {published:N0} jtis denylisted (gateway RSS {ProcessSampler.RssMb(_gatewayPid):0} MB)"));
            }

            // Keep the gateway's unread events bounded: wait until its replica is within MaxBacklog of what was published.
            var target = before + published - (published == count ? 0 : MaxBacklog);
            if (published - (published == count ? 0 : MaxBacklog) > 0)
            {
                await _gauge.WaitForAsync(target, TimeSpan.FromMinutes(2), cancellationToken);
            }
        }

        return Math.Max(peak, ProcessSampler.RssMb(_gatewayPid) ?? 0);
    }
}
