using Gateway.Testing;
using Gateway.Sessions.Embedded;
using static Gateway.Testing.TestUsers;
using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sessions;

/// <summary>What only the embedded store does: forgetting expired entries, safely.</summary>
public sealed class EmbeddedSessionStoreTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private EmbeddedSessionStore NewStore() => new(_time, new DenylistLifetime(_time, Options.Create(new TokenOptions { ClockSkew = TimeSpan.FromSeconds(30) })), new RevocationNotifier());

    private long In(TimeSpan span) => _time.GetUtcNow().Add(span).ToUnixTimeSeconds();

    [Fact]
    public async Task Denylist_ExpiresWithExpPlusSkew_AndSweepForgetsTheUser()
    {
        using var store = NewStore();
        await store.RevokeSessionAsync(U("u"), "s", In(TimeSpan.FromMinutes(1)), default);
        _time.Advance(TimeSpan.FromSeconds(60 + 30));
        Assert.True((await store.ReadAsync(U("u"), "s", null, null, default)).SessionRevoked);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await store.ReadAsync(U("u"), "s", null, null, default)).SessionRevoked);

        store.Sweep();
        Assert.Equal(0, store.UserCount);
    }

    [Fact]
    public async Task Sweep_KeepsUsersWithAVersion()
    {
        using var store = NewStore();
        await store.RevokeUserAsync(U("u"), In(TimeSpan.Zero), default);
        _time.Advance(TimeSpan.FromDays(365));
        store.Sweep();
        Assert.Equal(1, (await store.ReadAsync(U("u"), null, null, null, default)).Version);
    }

    [Fact]
    public async Task Writes_RacingWithSweep_AreNeverLost()
    {
        using var store = NewStore();
        var exp = In(TimeSpan.FromMinutes(5));
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                store.Sweep();
            }
        });
        for (var i = 0; i < 2000; i++)
        {
            // Each user starts empty, so a sweep may remove its entry at any moment.
            await store.RevokeSessionAsync(U("user" + i), "s", exp, default);
        }

        await stop.CancelAsync();
        await sweeper;
        for (var i = 0; i < 2000; i++)
        {
            Assert.True((await store.ReadAsync(U("user" + i), "s", null, null, default)).SessionRevoked, $"user{i}'s revocation was lost");
        }
    }
}
