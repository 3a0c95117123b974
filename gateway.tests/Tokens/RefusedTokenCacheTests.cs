using Gateway.Gate.Refusals;
using Gateway.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Tokens;

/// <summary>Refusals decided by the token's own bytes are remembered briefly; time- and key-dependent ones never.</summary>
public sealed class RefusedTokenCacheTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Theory]
    [InlineData("invalid_signature", true)]
    [InlineData("token_expired", true)]
    [InlineData("malformed_token", true)]
    [InlineData("unknown_key", false)]
    [InlineData("token_not_yet_valid", false)]
    public void Add_KeepsOnlyDeterministicRefusals(string code, bool kept)
    {
        var reason = Reasons.Find(code)!;
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
        cache.Add(digest, Reasons.InvalidSignature);
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
            cache.Add(VerifiedTokenCache.Digest("bad" + i), Reasons.InvalidSignature);
        }

        Assert.True(cache.Count <= 100);
    }
}
