using Gateway.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Tokens;

/// <summary>The verified-token cache: keyed by the exact token string, bounded, expiring with the token.</summary>
public sealed class VerifiedTokenCacheTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private VerifiedToken Token(TimeSpan lifetime) =>
        new("iss", "alice", "s", "j", _time.GetUtcNow().ToUnixTimeSeconds(), _time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds(), null, null);

    [Fact]
    public void Entry_ExpiresWithTheTokenPlusSkew()
    {
        var cache = new VerifiedTokenCache(100, _time);
        var digest = VerifiedTokenCache.Digest("a.b.c");
        cache.Add(digest, Token(TimeSpan.FromMinutes(1)));
        Assert.True(cache.TryGet(digest, 30, out _));
        _time.Advance(TimeSpan.FromSeconds(60 + 29));
        Assert.True(cache.TryGet(digest, 30, out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet(digest, 30, out _));
    }

    [Fact]
    public void Digest_DiffersForEveryDifferentString()
    {
        // One signature has many encodings; each is its own key, verified on its own.
        Assert.NotEqual(VerifiedTokenCache.Digest("a.b.c"), VerifiedTokenCache.Digest("a.b.c="));
        Assert.NotEqual(VerifiedTokenCache.Digest("a.b.c"), VerifiedTokenCache.Digest("a.b.C"));
        Assert.Equal(VerifiedTokenCache.Digest("a.b.c"), VerifiedTokenCache.Digest("a.b.c"));
    }

    [Fact]
    public void Capacity_IsBounded_AndRecentEntriesSurvive()
    {
        var cache = new VerifiedTokenCache(1000, _time);
        for (var i = 0; i < 100_000; i++)
        {
            cache.Add(VerifiedTokenCache.Digest("t" + i), Token(TimeSpan.FromMinutes(5)));
        }

        Assert.True(cache.Count <= 1000, $"{cache.Count} entries for a capacity of 1000");
        Assert.True(cache.TryGet(VerifiedTokenCache.Digest("t99999"), 30, out _));
        Assert.False(cache.TryGet(VerifiedTokenCache.Digest("t0"), 30, out _));
    }

    [Fact]
    public void HotEntry_IsPromotedAndSurvivesRotation()
    {
        var cache = new VerifiedTokenCache(100, _time);
        var hot = VerifiedTokenCache.Digest("hot");
        cache.Add(hot, Token(TimeSpan.FromMinutes(5)));
        for (var i = 0; i < 1000; i++)
        {
            cache.Add(VerifiedTokenCache.Digest("cold" + i), Token(TimeSpan.FromMinutes(5)));
            Assert.True(cache.TryGet(hot, 30, out _), $"hot entry lost after {i} inserts");
        }
    }

    [Fact]
    public void ZeroCapacity_CachesNothing()
    {
        var cache = new VerifiedTokenCache(0, _time);
        var digest = VerifiedTokenCache.Digest("x");
        cache.Add(digest, Token(TimeSpan.FromMinutes(5)));
        Assert.False(cache.TryGet(digest, 30, out _));
    }
}
