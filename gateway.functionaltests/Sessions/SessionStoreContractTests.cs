using Gateway.Sessions.Embedded;
using static Gateway.Testing.TestUsers;
using Gateway.Sessions.Redis;
using System.Diagnostics.Metrics;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>The <see cref="ISessionStore"/> contract, run against every store: what one implementation answers, all answer.</summary>
public abstract class SessionStoreContractTests : IAsyncLifetime
{
    protected ISessionStore Store { get; private set; } = null!;

    protected abstract Task<ISessionStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static string NewUser() => "u{" + Guid.NewGuid().ToString("N")[..8] + "}%";

    private static long In(TimeSpan span) => DateTimeOffset.UtcNow.Add(span).ToUnixTimeSeconds();

    [Fact]
    public async Task Read_UnknownUser_IsAllLive()
    {
        var state = await Store.ReadAsync(U(NewUser()), "s", "j", null, default);
        Assert.Equal(new SessionState(0, 0, false, false, null), state with { GlobalCutoff = 0 });
    }

    [Fact]
    public async Task RevokeSession_DeniesThatSessionOnly()
    {
        var sub = NewUser();
        await Store.RevokeSessionAsync(U(sub), "s1", In(TimeSpan.FromMinutes(5)), default);
        Assert.True((await Store.ReadAsync(U(sub), "s1", null, null, default)).SessionRevoked);
        Assert.False((await Store.ReadAsync(U(sub), "s2", null, null, default)).SessionRevoked);
        Assert.False((await Store.ReadAsync(U(NewUser()), "s1", null, null, default)).SessionRevoked);
    }

    [Fact]
    public async Task RevokeToken_DeniesThatJtiOnly()
    {
        var sub = NewUser();
        await Store.RevokeTokenAsync(U(sub), "j1", In(TimeSpan.FromMinutes(5)), "revoked", default);
        Assert.True((await Store.ReadAsync(U(sub), null, "j1", null, default)).TokenRevoked);
        Assert.False((await Store.ReadAsync(U(sub), null, "j2", null, default)).TokenRevoked);
    }

    [Fact]
    public async Task Inventory_MergesSightings_AndFeedsTheSessionsIatIntoTheRead()
    {
        var user = U(NewUser());
        var minute = In(TimeSpan.Zero) / 60 * 60;
        var idle = TimeSpan.FromMinutes(30);
        Assert.True(await Store.RecordSessionSeenAsync(user, new SessionSighting("s1", "web", minute - 120, minute - 200, null, "Firefox on Linux", "10.0.0.0/24"), idle, default));
        Assert.False(await Store.RecordSessionSeenAsync(user, new SessionSighting("s1", null, minute, minute - 200, null, null, null), idle, default));
        Assert.True(await Store.RecordSessionSeenAsync(user, new SessionSighting("s1", null, minute, minute - 300, null, null, null), idle, default));
        Assert.True(await Store.RecordSessionSeenAsync(user, new SessionSighting("s1", null, minute, minute - 10, 1234, null, null), idle, default));

        var record = Assert.Single(await Store.ListSessionsAsync(user, default));
        Assert.Equal(new SessionRecord("s1", "web", minute - 120, minute, minute - 10, minute - 300, 1234, "Firefox on Linux", "10.0.0.0/24"), record);
        var state = await Store.ReadAsync(user, "s1", null, null, default);
        Assert.Equal((minute - 10, minute - 300), (state.SessionNewestIat, state.SessionFirstIat));
        Assert.Equal(0, (await Store.ReadAsync(user, "s2", null, null, default)).SessionNewestIat);
    }

    [Fact]
    public async Task ClaimLead_NewestLoginReplacesOlder_FirstLoginHoldsUntilRevoked()
    {
        var user = U(NewUser());
        var ttl = TimeSpan.FromMinutes(5);
        Assert.Equal("a", (await Store.ClaimLeadAsync(user, LeadKind.NewestLogin, new SessionLead("a", 100), ttl, default)).Sid);
        Assert.Equal("b", (await Store.ClaimLeadAsync(user, LeadKind.NewestLogin, new SessionLead("b", 200), ttl, default)).Sid);
        Assert.Equal("b", (await Store.ClaimLeadAsync(user, LeadKind.NewestLogin, new SessionLead("c", 150), ttl, default)).Sid);

        Assert.Equal("a", (await Store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("a", 100), ttl, default)).Sid);
        Assert.Equal("a", (await Store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("b", 200), ttl, default)).Sid);
        var state = await Store.ReadAsync(user, null, null, null, default);
        Assert.Equal((new SessionLead("b", 200), new SessionLead("a", 100)), (state.NewestLead, state.FirstLead));

        await Store.RevokeSessionAsync(user, "a", In(TimeSpan.FromMinutes(5)), default);
        Assert.Null((await Store.ReadAsync(user, null, null, null, default)).FirstLead);
        Assert.Equal("b", (await Store.ClaimLeadAsync(user, LeadKind.FirstLogin, new SessionLead("b", 200), ttl, default)).Sid);

        await Store.RevokeUserAsync(user, In(TimeSpan.Zero), default);
        state = await Store.ReadAsync(user, null, null, null, default);
        Assert.Equal((null, null), (state.NewestLead, state.FirstLead));
    }

    [Fact]
    public async Task RevokeToken_ExpiredLongAgo_WritesNothingLive()
    {
        var sub = NewUser();
        await Store.RevokeTokenAsync(U(sub), "old", In(TimeSpan.FromHours(-1)), "revoked", default);
        Assert.False((await Store.ReadAsync(U(sub), null, "old", null, default)).TokenRevoked);
    }

    [Fact]
    public async Task RevokeToken_JustExpired_StaysDeniedThroughTheClockSkew()
    {
        // The verifier still accepts a token up to ClockSkew past exp, so its denylist entry must outlive exp as long.
        var sub = NewUser();
        await Store.RevokeTokenAsync(U(sub), "skew", In(TimeSpan.FromSeconds(-5)), "revoked", default);
        Assert.True((await Store.ReadAsync(U(sub), null, "skew", null, default)).TokenRevoked);
    }

    [Fact]
    public async Task RevokeUser_BumpsVersionAndKeepsTheLatestCutoff()
    {
        var sub = NewUser();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(1, await Store.RevokeUserAsync(U(sub), now, default));
        Assert.Equal(2, await Store.RevokeUserAsync(U(sub), now - 100, default));
        var state = await Store.ReadAsync(U(sub), null, null, null, default);
        Assert.Equal(2, state.Version);
        Assert.Equal(now, state.Cutoff);
        var user = await Store.GetUserAsync(U(sub), default);
        Assert.Equal(new UserState(sub, 2, now, null), user);
    }

    [Fact]
    public async Task Activate_RecordsTheOnlyLiveSession()
    {
        var sub = NewUser();
        await Store.ActivateSessionAsync(U(sub), "a", TimeSpan.FromMinutes(5), default);
        await Store.ActivateSessionAsync(U(sub), "b", TimeSpan.FromMinutes(5), default);
        Assert.Equal("b", (await Store.ReadAsync(U(sub), "a", null, null, default)).ActiveSession);
        Assert.Equal("b", (await Store.GetUserAsync(U(sub), default)).ActiveSession);
    }

    [Fact]
    public async Task IncrementUses_CountsPerJti()
    {
        var sub = NewUser();
        var exp = In(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await Store.IncrementUsesAsync(U(sub), "route", "j", exp, default));
        Assert.Equal(2, await Store.IncrementUsesAsync(U(sub), "route", "j", exp, default));
        Assert.Equal(1, await Store.IncrementUsesAsync(U(sub), "route", "k", exp, default));
    }

    [Fact]
    public async Task IncrementUses_IsAtomicUnderConcurrency()
    {
        var sub = NewUser();
        var exp = In(TimeSpan.FromMinutes(5));
        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Store.IncrementUsesAsync(U(sub), "route", "j", exp, default).AsTask()));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), counts.Order());
    }

    [Fact]
    public async Task TryMarkOnce_IsTrueOnlyTheFirstTime()
    {
        var sub = NewUser();
        var exp = In(TimeSpan.FromMinutes(5));
        Assert.True(await Store.TryMarkOnceAsync(U(sub), "logout:1", exp, default));
        Assert.False(await Store.TryMarkOnceAsync(U(sub), "logout:1", exp, default));
        Assert.True(await Store.TryMarkOnceAsync(U(sub), "logout:2", exp, default));
    }

    [Fact]
    public async Task Ids_WithBracesAndPercent_NeverCollideWithOtherUsers()
    {
        // "a}:sid:x" must not spell user "a"'s session "x" key.
        await Store.RevokeSessionAsync(U("a}:sid:x"), "y", In(TimeSpan.FromMinutes(5)), default);
        await Store.RevokeSessionAsync(U("b%7D"), "y", In(TimeSpan.FromMinutes(5)), default);
        Assert.False((await Store.ReadAsync(U("a"), "x", null, null, default)).SessionRevoked);
        Assert.False((await Store.ReadAsync(U("b}"), "y", null, null, default)).SessionRevoked);
        Assert.True((await Store.ReadAsync(U("b%7D"), "y", null, null, default)).SessionRevoked);
    }
}

public sealed class RedisSessionStoreContractTests(RedisSessionStoreContractTests.Redis fixture) : SessionStoreContractTests, IClassFixture<RedisSessionStoreContractTests.Redis>
{
    private ConnectionMultiplexer? _connection;
    private ServiceProvider? _services;

    protected override async Task<ISessionStore> CreateStoreAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(fixture.Server.ConnectionString);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>());
        return new RedisSessionStore(_connection, new RedisKeys("contract:"), metrics, new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions())), TimeProvider.System, NullLogger<RedisSessionStore>.Instance);
    }

    public override async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>One redis-server for the class.</summary>
    public sealed class Redis : IAsyncLifetime
    {
        public RedisServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
