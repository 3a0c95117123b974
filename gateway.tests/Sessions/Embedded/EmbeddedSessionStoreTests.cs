using static Gateway.Testing.TestUsers;
using Gateway.Sessions;
using Gateway.Sessions.Embedded;
using Gateway.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sessions.Embedded;

/// <summary>The in-process store with a journal: every kind of write survives a restart, and expiry still applies.</summary>
public sealed class EmbeddedSessionStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private string JournalPath => Path.Combine(_directory, "state.journal");

    private long In(TimeSpan span) => _time.GetUtcNow().Add(span).ToUnixTimeSeconds();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs <paramref name="use"/> on a store over the journal file, then closes both (a restart).</summary>
    private async Task WithStoreAsync(Func<EmbeddedSessionStore, Task> use)
    {
        using var journal = EmbeddedJournal.Open(JournalPath, _time, NullLogger.Instance);
        using var store = new EmbeddedSessionStore(_time, new DenylistLifetime(_time, Options.Create(new TokenOptions { ClockSkew = TimeSpan.FromSeconds(30) })), new RevocationNotifier(), journal);
        await use(store);
    }

    [Fact]
    public async Task EveryKindOfWrite_SurvivesARestart()
    {
        var exp = In(TimeSpan.FromMinutes(10));
        var cutoff = In(TimeSpan.Zero);
        await WithStoreAsync(async store =>
        {
            await store.RevokeTokenAsync(U("alice"), "j1", exp, "revoked", default);
            await store.RevokeSessionAsync(U("alice"), "s1", exp, default);
            Assert.Equal(1, await store.RevokeUserAsync(U("bob"), cutoff - 10, default));
            Assert.Equal(2, await store.RevokeUserAsync(U("bob"), cutoff, default));
            await store.ActivateSessionAsync(U("carol"), "phone", TimeSpan.FromMinutes(5), default);
            await store.ActivateSessionAsync(U("carol"), "laptop", TimeSpan.FromMinutes(5), default);
            Assert.True(await store.TryMarkOnceAsync(U("dave"), "logout-1", exp, default));
            Assert.Equal(1, await store.IncrementUsesAsync(U("erin"), "route", "j", exp, default));
            Assert.Equal(2, await store.IncrementUsesAsync(U("erin"), "route", "j", exp, default));
            // Subjects that look like the journal's key syntax stay apart.
            await store.RevokeSessionAsync(U("3:abc"), "x", exp, default);
        });

        await WithStoreAsync(async store =>
        {
            Assert.True((await store.ReadAsync(U("alice"), "s1", "j1", null, default)) is { TokenRevoked: true, SessionRevoked: true });
            Assert.False((await store.ReadAsync(U("alice"), "s2", "j2", null, default)) is { TokenRevoked: true } or { SessionRevoked: true });
            Assert.Equal(new UserState("bob", 2, cutoff, null), await store.GetUserAsync(U("bob"), default));
            Assert.Equal("laptop", (await store.ReadAsync(U("carol"), "phone", null, null, default)).ActiveSession);
            Assert.False(await store.TryMarkOnceAsync(U("dave"), "logout-1", exp, default));
            Assert.Equal(3, await store.IncrementUsesAsync(U("erin"), "route", "j", exp, default));
            Assert.Equal(3, await store.RevokeUserAsync(U("bob"), cutoff, default));
            Assert.True((await store.ReadAsync(U("3:abc"), "x", null, null, default)).SessionRevoked);
            Assert.False((await store.ReadAsync(U("3"), "abcx", null, null, default)).SessionRevoked);
        });

        await WithStoreAsync(async store => Assert.Equal(3, (await store.GetUserAsync(U("bob"), default)).Version));
    }

    [Fact]
    public async Task EntriesExpireAcrossARestart_AsTheyWouldHaveInMemory()
    {
        await WithStoreAsync(async store =>
        {
            await store.RevokeTokenAsync(U("alice"), "j", In(TimeSpan.FromMinutes(1)), "revoked", default);
            await store.ActivateSessionAsync(U("alice"), "s", TimeSpan.FromMinutes(1), default);
        });

        _time.Advance(TimeSpan.FromSeconds(60 + 30 + 1));
        await WithStoreAsync(async store =>
        {
            var state = await store.ReadAsync(U("alice"), "s", "j", null, default);
            Assert.False(state.TokenRevoked);
            Assert.Null(state.ActiveSession);
            store.Sweep();
            Assert.Equal(0, store.UserCount);
        });
    }

    [Fact]
    public async Task AWriteTheJournalCannotTake_FailsAsStoreUnavailable()
    {
        var journal = EmbeddedJournal.Open(JournalPath, _time, NullLogger.Instance);
        using var store = new EmbeddedSessionStore(_time, new DenylistLifetime(_time, Options.Create(new TokenOptions())), new RevocationNotifier(), journal);
        journal.Dispose();
        // A closed journal (the gateway stopping) stands in for a broken disk: the call fails (503), never claims success.
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.RevokeSessionAsync(U("alice"), "s", In(TimeSpan.FromMinutes(5)), default));
    }
}
