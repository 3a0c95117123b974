using Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Testing.TestUsers;

namespace Gateway.Tests.Sessions;

/// <summary>The per-instance replica of the denylist: when it may vouch for an id's absence, and when it must not.</summary>
public sealed class DenylistReplicaTests
{
    private static readonly SessionState Live = new(0, 0, false, false, null);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private long In(TimeSpan span) => _time.GetUtcNow().Add(span).ToUnixTimeSeconds();

    [Fact]
    public void NewReplica_IsIncomplete_UntilAFullLoad()
    {
        var replica = new DenylistReplica(_time, 10);
        Assert.False(replica.IsComplete);
        Assert.True(replica.CompleteLoad(replica.BeginLoad(), [new(DenylistHash.Token(U("a"), "j1"), In(TimeSpan.FromMinutes(5)))]));
        Assert.True(replica.IsComplete);
        Assert.True(replica.MayContain(DenylistHash.Token(U("a"), "j1")));
        Assert.False(replica.MayContain(DenylistHash.Token(U("a"), "j2")));
    }

    [Fact]
    public void LostEvents_DuringALoad_KeepItIncomplete()
    {
        var replica = new DenylistReplica(_time, 10);
        var load = replica.BeginLoad();
        replica.MarkIncomplete();
        Assert.False(replica.CompleteLoad(load, []));
        Assert.False(replica.IsComplete);
    }

    [Fact]
    public void EventsDuringALoad_AreKept()
    {
        var replica = new DenylistReplica(_time, 10);
        var load = replica.BeginLoad();
        replica.Add(DenylistHash.Session(U("a"), "s1"), In(TimeSpan.FromMinutes(5)));
        Assert.True(replica.CompleteLoad(load, []));
        Assert.True(replica.MayContain(DenylistHash.Session(U("a"), "s1")));
    }

    [Fact]
    public void OverCapacity_StandsAside_RatherThanDropAnEntry()
    {
        var replica = new DenylistReplica(_time, 2);
        Assert.True(replica.CompleteLoad(replica.BeginLoad(), []));
        for (var i = 0; i < 3; i++)
        {
            replica.Add(DenylistHash.Token(U("a"), "j" + i), In(TimeSpan.FromMinutes(5)));
        }

        Assert.False(replica.IsComplete);
    }

    [Fact]
    public void Entries_ExpireAndArePruned()
    {
        var replica = new DenylistReplica(_time, 10);
        replica.CompleteLoad(replica.BeginLoad(), [new(DenylistHash.Token(U("a"), "j"), In(TimeSpan.FromSeconds(10)))]);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(replica.MayContain(DenylistHash.Token(U("a"), "j")));
        replica.Prune(_time.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal(0, replica.Count);
    }

    [Fact]
    public void Hashes_SeparateKindIssuerSubjectAndId()
    {
        Assert.NotEqual(DenylistHash.Token(U("a"), "x"), DenylistHash.Session(U("a"), "x"));
        Assert.NotEqual(DenylistHash.Token(new UserKey("i1", "a"), "x"), DenylistHash.Token(new UserKey("i2", "a"), "x"));
        Assert.NotEqual(DenylistHash.Token(new UserKey("i", "ab"), "c"), DenylistHash.Token(new UserKey("i", "a"), "bc"));
        Assert.Equal(DenylistHash.Token(U("a"), "x"), DenylistHash.Token(U("a"), "x"));
    }

    [Fact]
    public void Cache_NewJtiOfAWarmUser_AnsweredByACompleteReplica()
    {
        var cache = new SessionStateCache(_time, TimeSpan.FromSeconds(60), 100);
        cache.SetTrusted(true);
        cache.Complete(U("u"), "s", "j1", null, Live with { Version = 2 }, cache.BeginRead(U("u")));
        var replica = new DenylistReplica(_time, 10);

        // Incomplete replica: a jti the entry has not seen is a miss (the store must be asked).
        Assert.False(cache.TryGet(U("u"), "s", "j2", null, out _, replica));

        replica.CompleteLoad(replica.BeginLoad(), [new(DenylistHash.Token(U("u"), "revoked"), In(TimeSpan.FromMinutes(5)))]);
        Assert.True(cache.TryGet(U("u"), "s", "j2", null, out var state, replica));
        Assert.Equal(2, state.Version);
        Assert.False(state.TokenRevoked);

        // An id the replica holds is confirmed in the store: a miss.
        Assert.False(cache.TryGet(U("u"), "s", "revoked", null, out _, replica));

        // A user the cache does not know is a miss, replica or not.
        Assert.False(cache.TryGet(U("stranger"), null, "j2", null, out _, replica));
    }

    [Fact]
    public void Cache_AKnownRevokedFact_BeatsTheReplica()
    {
        // A session revoked by a direct write the replica never heard of, then read from the store into the entry.
        var cache = new SessionStateCache(_time, TimeSpan.FromSeconds(60), 100);
        cache.SetTrusted(true);
        cache.Complete(U("u"), "s", "j1", null, Live with { SessionRevoked = true }, cache.BeginRead(U("u")));
        var replica = new DenylistReplica(_time, 10);
        replica.CompleteLoad(replica.BeginLoad(), []);

        Assert.True(cache.TryGet(U("u"), "s", "j-new", null, out var state, replica));
        Assert.True(state.SessionRevoked);
    }
}
