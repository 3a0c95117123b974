using static Gateway.Testing.TestUsers;
using Gateway.Sessions.Redis;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Sessions;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// A real 3-master Redis Cluster: every key of one user hashes to one slot (so a check is one round trip, and the
/// multi-key MGET and Lua scripts are legal), and gateways configured with the cluster's endpoints enforce and
/// propagate revocations.
/// Its propagation test asserts the same wall-clock bound as <see cref="MultiInstanceTests"/>, so it runs alone too.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed class RedisClusterTests(RedisCluster cluster, ReliabilityRig rig, ITestOutputHelper output)
    : IClassFixture<RedisCluster>, IClassFixture<ReliabilityRig>
{
    private static readonly RedisKeys Keys = new("gw:");

    public static TheoryData<string, string> Ids => new()
    {
        { "alice", "s1" },
        { "a{b}c", "{evil}" },
        { "{x}", "}{" },
        { "}{", "{" },
        { "50%", "%7B" },
        { "%7Bx%7D", "100%}" },
        { "user:with:colons", "sid:with:colons" },
        { "ünïcødé-用户", "séssion-会话" },
        { "{", "}" },
    };

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task KeySlot_EveryKeyOfOneUser_SharesOneSlot(string sub, string id)
    {
        string[] keys =
        [
            .. new[]
            {
                Keys.Version(U(sub)), Keys.Cutoff(U(sub)), Keys.Active(U(sub)), Keys.Session(U(sub), id), Keys.Token(U(sub), id),
                Keys.Uses(U(sub), "route:" + id, id), Keys.Once(U(sub), id), Keys.Client(U(sub), id),
            }.Select(k => k.ToString()),
        ];
        var slots = new List<int>();
        foreach (var key in keys)
        {
            slots.Add(await cluster.KeySlotAsync(key));
        }

        // One slot, and it is the slot of the (escaped) issuer and subject: no id can move a key to another user's slot.
        Assert.Single(slots.Distinct());
        Assert.Equal(await cluster.KeySlotAsync(RedisKeys.Tag(U(sub))), slots[0]);
    }

    [Fact]
    public void Keys_IdsWithBracesOrPercent_NeverSpellAnotherUsersKey()
    {
        // Escaping is injective: "a{b}" and its percent-encoded spelling are different users with different keys.
        Assert.NotEqual((string)Keys.Version(U("a{b}"))!, (string)Keys.Version(U("a%7Bb%7D"))!);
        Assert.NotEqual((string)Keys.Session(U("u"), "x}:jti:y")!, (string)Keys.Token(U("u"), "y")!);
        Assert.Equal("gw:{https://issuer.test|a%7Bb%7D}:ver", (string)Keys.Version(U("a{b}"))!);
        Assert.Equal("gw:{https://issuer.test|a%257Bb%257D}:ver", (string)Keys.Version(U("a%7Bb%7D"))!);

        // Issuer and subject cannot blur either: '|' in either one is encoded.
        Assert.NotEqual((string)Keys.Version(new Gateway.Sessions.UserKey("i|a", "b"))!, (string)Keys.Version(new Gateway.Sessions.UserKey("i", "a|b"))!);
    }

    [Fact]
    public async Task Gateway_OnCluster_EnforcesSessionTokenUserAndMaxUses()
    {
        await cluster.ExecuteAsync("SET", "gw:epoch", "seeded-by-test");
        await using var gateway = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(cluster.ConnectionString));
        var sub = "cluster-" + ReliabilityRig.NewUser() + "{%}";

        var session = rig.Token(sub, sid: "s{1}");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/x", session));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub, sid = "s{1}" });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/refused", session)).Reason);
        var ttl = await cluster.ExecuteAsync("TTL", (string)Keys.Session(U(sub), "s{1}")!);
        Assert.True(long.Parse(ttl.TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture) > 0, $"TTL of the session key: {ttl}");

        var token = rig.Token(sub, sid: "s2", jti: "j%1");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/x", token));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/token", new { token });
        Assert.Equal("token_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/refused", token)).Reason);

        var limited = rig.Token(sub, sid: "s3", jti: "uses-1");
        for (var i = 0; i < 3; i++)
        {
            ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/limited/x", limited));
        }

        Assert.Equal("use_limit_reached", (await ReliabilityRig.GetAsync(gateway, "/limited/x", limited)).Reason);

        var old = rig.Token(sub, sid: "s4", iat: TimeSpan.FromSeconds(-2));
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/x", old));
        using var revoke = await ReliabilityRig.AdminPostAsync(gateway, "/admin/revoke/user", new { sub });
        var version = (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
        Assert.Equal("user_version_stale", (await ReliabilityRig.GetAsync(gateway, "/api/refused", old)).Reason);
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/x", rig.Token(sub, sid: "s5", ver: version)));
        Assert.Equal("user_version_stale", (await ReliabilityRig.GetAsync(gateway, "/api/refused", rig.Token(sub, sid: "s6", ver: version - 1))).Reason);

        Assert.Empty(rig.Backend.RequestsTo("/api/refused"));
    }

    [Fact]
    public async Task TwoInstances_OnCluster_RevocationsPropagateOverClusterPubSub()
    {
        await cluster.ExecuteAsync("SET", "gw:epoch", "seeded-by-test");
        await using var one = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(cluster.ConnectionString));
        await using var two = await ReliabilityRig.StartGatewayAsync(rig.CreateConfig(cluster.ConnectionString));

        var lags = await MultiInstanceTests.MeasureAsync(rig, one, two);

        output.WriteLine("two instances, 3-master cluster: revocation lag (admin call sent to 1 -> first refusal on 2): " +
            string.Join(", ", lags.Select(l => $"{l.Kind} {l.Lag.TotalMilliseconds:0.0} ms (admin call {l.AdminCall.TotalMilliseconds:0.0} ms of it)")));
        Assert.All(lags, l => Assert.True(l.Lag - l.AdminCall < MultiInstanceTests.PropagationBound, $"{l.Kind}: {(l.Lag - l.AdminCall).TotalMilliseconds:0} ms"));
    }
}
