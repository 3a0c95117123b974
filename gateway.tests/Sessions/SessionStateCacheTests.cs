using Gateway.Testing;
using static Gateway.Testing.TestUsers;
using Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sessions;

/// <summary>The local session-state cache: bounds, staleness, trust, and the race with revocation events.</summary>
public sealed class SessionStateCacheTests
{
    private static readonly SessionState Live = new(0, 0, false, false, null);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private SessionStateCache NewCache(int capacity = 100, TimeSpan? staleness = null)
    {
        var cache = new SessionStateCache(_time, staleness ?? TimeSpan.FromSeconds(60), capacity);
        cache.SetTrusted(true);
        return cache;
    }

    private static void Fill(SessionStateCache cache, string sub, string? sid, string? jti, SessionState state) =>
        cache.Complete(U(sub), sid, jti, null, state, cache.BeginRead(U(sub)));

    [Fact]
    public void TryGet_AfterARead_AnswersWithoutTheStore()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", "j", Live with { Version = 3 });
        Assert.True(cache.TryGet(U("u"), "s", "j", null, out var state));
        Assert.Equal(3, state.Version);
    }

    [Fact]
    public void SessionSeen_MovesTheSessionsIatsInPlace_WithoutSendingTheNextCheckToTheStore()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", "j", Live with { SessionNewestIat = 100, SessionFirstIat = 50 });

        cache.SessionSeen(U("u"), "s", 160);
        Assert.True(cache.TryGet(U("u"), "s", "j", null, out var state));
        Assert.Equal(160, state.SessionNewestIat);
        Assert.Equal(50, state.SessionFirstIat);

        // Merged like the store merges: an older sighting moves the first iat, never the newest back.
        cache.SessionSeen(U("u"), "s", 40);
        Assert.True(cache.TryGet(U("u"), "s", "j", null, out state));
        Assert.Equal(160, state.SessionNewestIat);
        Assert.Equal(40, state.SessionFirstIat);
    }

    [Fact]
    public void SessionSeen_ConcurrentSightings_AllMergeAndTheEntryKeepsAnswering()
    {
        // The writing instance applies its own write and then the event of it: the two may run at once, and neither may
        // drop the entry (that costs a Redis read) or lose the other's iat.
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live with { SessionNewestIat = 100, SessionFirstIat = 100 });

        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                cache.SessionSeen(U("u"), "s", 101 + (i * 4) + t);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.True(cache.TryGet(U("u"), "s", null, null, out var state));
        Assert.Equal(200_100, state.SessionNewestIat);
        Assert.Equal(100, state.SessionFirstIat);
    }

    [Fact]
    public void SessionSeen_OfASessionTheEntryDoesNotHold_LeavesTheEntryAsItIs()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live with { SessionNewestIat = 100, SessionFirstIat = 50 });

        cache.SessionSeen(U("u"), "other", 160);
        Assert.True(cache.TryGet(U("u"), "s", null, null, out var state));
        Assert.Equal(100, state.SessionNewestIat);
        Assert.False(cache.TryGet(U("u"), "other", null, null, out _));
    }

    [Fact]
    public void SessionSeen_NeverRevivesAnInvalidatedEntry_NorLetsAnOlderReadIn()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live with { SessionNewestIat = 100 });
        var inFlight = cache.BeginRead(U("u"));

        cache.Invalidate(U("u"));
        cache.SessionSeen(U("u"), "s", 160);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));

        // A read that began before the sighting would install the older iat: it is discarded.
        cache.Complete(U("u"), "s", null, null, Live with { SessionNewestIat = 100 }, inFlight);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void Refresh_SendsTheNextCheckToTheStore_ButKeepsTheLastKnownState()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live with { SessionNewestIat = 100, SessionFirstIat = 50 });
        var inFlight = cache.BeginRead(U("u"));

        cache.Refresh(U("u"));

        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
        Assert.True(cache.TryGetLastKnown(U("u"), "s", null, null, TimeSpan.FromSeconds(60), out var known));
        Assert.Equal((100, 50), (known.SessionNewestIat, known.SessionFirstIat));

        // A read that began before the refresh is not installed; one after it is, and answers again.
        cache.Complete(U("u"), "s", null, null, Live with { SessionNewestIat = 100 }, inFlight);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
        Fill(cache, "u", "s", null, Live with { SessionNewestIat = 200, SessionFirstIat = 50 });
        Assert.True(cache.TryGet(U("u"), "s", null, null, out var fresh));
        Assert.Equal(200, fresh.SessionNewestIat);
    }

    [Fact]
    public void TryGet_UnknownSidOrJti_Misses()
    {
        var cache = NewCache();
        Fill(cache, "u", "s1", "j1", Live);
        Assert.False(cache.TryGet(U("u"), "s2", "j1", null, out _));
        Assert.False(cache.TryGet(U("u"), "s1", "j2", null, out _));
        Fill(cache, "u", "s2", "j2", Live);
        Assert.True(cache.TryGet(U("u"), "s1", "j1", null, out _));
        Assert.True(cache.TryGet(U("u"), "s2", "j2", null, out _));
    }

    [Fact]
    public void Invalidate_DuringAnInFlightRead_TheReadIsNotInstalled()
    {
        var cache = NewCache();
        var ticket = cache.BeginRead(U("u"));
        // A revocation event arrives while the read is in flight; the read returns the state from before it.
        cache.Invalidate(U("u"));
        cache.Complete(U("u"), "s", null, null, Live, ticket);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void Invalidate_OfAnotherUser_DoesNotBlockInstall()
    {
        var cache = NewCache();
        var ticket = cache.BeginRead(U("u"));
        cache.Invalidate(U("someone-else-entirely"));
        cache.Complete(U("u"), "s", null, null, Live, ticket);
        Assert.True(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void Invalidate_DropsTheUser()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live);
        cache.Invalidate(U("u"));
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void Entries_ExpireAfterMaxStaleness()
    {
        var cache = NewCache(staleness: TimeSpan.FromSeconds(10));
        Fill(cache, "u", "s", null, Live);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(cache.TryGet(U("u"), "s", null, null, out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void WarmUser_IsRenewedByTheNextRead_InsteadOfAgingOutForGood()
    {
        var cache = NewCache(staleness: TimeSpan.FromSeconds(10));
        Fill(cache, "u", "s", null, Live);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
        // The read that follows the miss installs a fresh entry, which answers for another full period.
        Fill(cache, "u", "s", null, Live);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void Distrusted_AnswersNothing_AndOldEntriesStayDistrustedAfterResync()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", null, Live);
        cache.SetTrusted(false);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
        // While distrusted nothing is installed.
        Fill(cache, "v", "s", null, Live);
        cache.SetTrusted(true);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
        Assert.False(cache.TryGet(U("v"), "s", null, null, out _));
    }

    [Fact]
    public void TrustChange_DuringAnInFlightRead_TheReadIsNotInstalled()
    {
        var cache = NewCache();
        var ticket = cache.BeginRead(U("u"));
        cache.SetTrusted(false);
        cache.SetTrusted(true);
        cache.Complete(U("u"), "s", null, null, Live, ticket);
        Assert.False(cache.TryGet(U("u"), "s", null, null, out _));
    }

    [Fact]
    public void LastKnown_SurvivesDistrust_WithinItsMaximumAge()
    {
        var cache = NewCache();
        Fill(cache, "u", "s", "j", Live with { TokenRevoked = true });
        cache.SetTrusted(false);
        Assert.True(cache.TryGetLastKnown(U("u"), "s", "j", null, TimeSpan.FromSeconds(60), out var state));
        Assert.True(state.TokenRevoked);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(cache.TryGetLastKnown(U("u"), "s", "j", null, TimeSpan.FromSeconds(60), out _));
    }

    [Fact]
    public void Capacity_IsBounded()
    {
        var cache = NewCache(capacity: 100);
        for (var i = 0; i < 10_000; i++)
        {
            Fill(cache, "user" + i, "s", null, Live);
        }

        Assert.True(cache.Count <= 100, $"{cache.Count} entries for a capacity of 100");
        Assert.True(cache.TryGet(U("user9999"), "s", null, null, out _));
    }

    [Fact]
    public void FactsPerUser_AreBounded()
    {
        var cache = NewCache();
        for (var i = 0; i < 100; i++)
        {
            Fill(cache, "u", "s" + i, null, Live);
        }

        Assert.True(cache.TryGet(U("u"), "s99", null, null, out _));
        Assert.False(cache.TryGet(U("u"), "s0", null, null, out _));
    }

    [Fact]
    public void NewerRead_ChangesUserWideState_ReplacesTheEntry()
    {
        var cache = NewCache();
        Fill(cache, "u", "s1", null, Live);
        Fill(cache, "u", "s2", null, Live with { Version = 1 });
        Assert.True(cache.TryGet(U("u"), "s2", null, null, out var state));
        Assert.Equal(1, state.Version);
        Assert.False(cache.TryGet(U("u"), "s1", null, null, out _));
    }

    [Fact]
    public async Task ConcurrentReadsAndInvalidations_NeverKeepAStaleAnswer()
    {
        var cache = NewCache(capacity: 1000);
        var revoked = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var ticket = cache.BeginRead(U("u"));
                // The "store" answers with what was true when the read began.
                var state = Live with { SessionRevoked = Volatile.Read(ref revoked) == 1 };
                cache.Complete(U("u"), "s", null, null, state, ticket);
            }
        })).ToArray();
        await Task.Delay(5);
        Volatile.Write(ref revoked, 1);
        cache.Invalidate(U("u"));
        await Task.WhenAll(readers);
        // Once the revocation was written and its event applied, no answer from before it may remain.
        Assert.True(!cache.TryGet(U("u"), "s", null, null, out var final) || final.SessionRevoked);
    }
}
