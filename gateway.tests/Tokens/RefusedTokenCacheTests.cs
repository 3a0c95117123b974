using Gateway.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Tokens;

/// <summary>Refusals decided by the token's own bytes are remembered briefly; time- and key-dependent ones never.</summary>
public sealed class RefusedTokenCacheTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(TokenReasons.InvalidSignature, true)]
    [InlineData(TokenReasons.Expired, true)]
    [InlineData(TokenReasons.Malformed, true)]
    [InlineData(TokenReasons.UnknownKey, false)]
    [InlineData(TokenReasons.NotYetValid, false)]
    public void Add_KeepsOnlyDeterministicRefusals(string reason, bool kept)
    {
        var cache = new RefusedTokenCache(100, _time);
        var digest = VerifiedTokenCache.Digest("x.y.z");
        cache.Add(digest, reason);
        Assert.Equal(kept, cache.TryGet(digest, out var found));
        Assert.Equal(kept ? reason : null, found);
    }

    [Fact]
    public void Entries_ExpireAfterTheirLifetime()
    {
        var cache = new RefusedTokenCache(100, _time);
        var digest = VerifiedTokenCache.Digest("x.y.z");
        cache.Add(digest, TokenReasons.InvalidSignature);
        _time.Advance(RefusedTokenCache.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGet(digest, out _));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet(digest, out _));
    }

    [Fact]
    public void Capacity_IsBounded()
    {
        var cache = new RefusedTokenCache(100, _time);
        for (var i = 0; i < 10_000; i++)
        {
            cache.Add(VerifiedTokenCache.Digest("bad" + i), TokenReasons.InvalidSignature);
        }

        Assert.True(cache.Count <= 100);
    }
}
