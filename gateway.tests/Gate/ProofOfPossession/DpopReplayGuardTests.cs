using Gateway.Testing.Attacks;
using Gateway.Gate.ProofOfPossession;
using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class DpopReplayGuardTests
{
    private readonly FakeTimeProvider _time = new(ProofBuilder.Now);

    private DpopReplayGuard Guard(out InMemoryProofReplayCache cache, int capacity = 100)
    {
        cache = new InMemoryProofReplayCache(capacity, _time);
        return new DpopReplayGuard(cache, new DpopOptions());
    }

    private static DpopProofResult Validated(ProofBuilder proof)
    {
        var result = ProofBuilder.Validator().Validate(proof.Build(), ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, proof.Jkt, ProofBuilder.Now);
        Assert.True(result.IsValid, result.Reason);
        return result;
    }

    [Fact]
    public async Task TryAcceptAsync_SameProofTwice_SecondIsAReplay()
    {
        var guard = Guard(out _);
        var proof = Validated(ProofBuilder.For(TestKey.SharedEs256));

        Assert.True(await guard.TryAcceptAsync(proof, CancellationToken.None));
        Assert.False(await guard.TryAcceptAsync(proof, CancellationToken.None));
    }

    [Fact]
    public async Task TryAcceptAsync_NewProofWithAnEarlierJti_Replay()
    {
        var guard = Guard(out _);
        var first = ProofBuilder.For(TestKey.SharedEs256);
        var again = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["jti"] = first.Payload["jti"]!.GetValue<string>());

        Assert.True(await guard.TryAcceptAsync(Validated(first), CancellationToken.None));
        Assert.False(await guard.TryAcceptAsync(Validated(again), CancellationToken.None));
    }

    [Fact]
    public async Task TryAcceptAsync_SameJtiFromAnotherKey_Accepted()
    {
        var guard = Guard(out _);
        var mine = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["jti"] = "same");
        var theirs = ProofBuilder.For(TestKey.SharedRs256).With(p => p.Payload["jti"] = "same");

        Assert.True(await guard.TryAcceptAsync(Validated(mine), CancellationToken.None));
        Assert.True(await guard.TryAcceptAsync(Validated(theirs), CancellationToken.None));
    }

    [Fact]
    public async Task TryAcceptAsync_AfterTheWindow_EntryForgotten()
    {
        var guard = Guard(out var cache);
        var proof = Validated(ProofBuilder.For(TestKey.SharedEs256));
        Assert.True(await guard.TryAcceptAsync(proof, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(await guard.TryAcceptAsync(proof, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(2));
        // By now the validator refuses the proof as stale; the cache has let it go.
        Assert.True(await cache.TryAddAsync("other", _time.GetUtcNow().ToUnixTimeSeconds() + 60, CancellationToken.None));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task TryAcceptAsync_RefusedProof_Throws()
    {
        var guard = Guard(out _);

        await Assert.ThrowsAsync<ArgumentException>(async () => await guard.TryAcceptAsync(DpopProofResult.Fail(DpopReasons.ProofInvalid), CancellationToken.None));
    }

    [Fact]
    public void Key_HoldsNeitherThumbprintNorJti_AndSeparatesTheTwo()
    {
        var key = DpopReplayGuard.Key("thumbprint", "my-jti");

        Assert.StartsWith("dpop:", key, StringComparison.Ordinal);
        Assert.DoesNotContain("thumbprint", key, StringComparison.Ordinal);
        Assert.DoesNotContain("my-jti", key, StringComparison.Ordinal);
        Assert.Equal(48, key.Length);
        Assert.NotEqual(DpopReplayGuard.Key("ab", "c"), DpopReplayGuard.Key("a", "bc"));
        Assert.Equal(key, DpopReplayGuard.Key("thumbprint", "my-jti"));
    }

    [Fact]
    public async Task InMemoryCache_AtCapacity_StaysBoundedAndKeepsTheNewest()
    {
        var cache = new InMemoryProofReplayCache(3, _time);
        var expires = _time.GetUtcNow().ToUnixTimeSeconds() + 60;
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            Assert.True(await cache.TryAddAsync(key, expires, CancellationToken.None));
        }

        Assert.Equal(3, cache.Count);
        Assert.False(await cache.TryAddAsync("e", expires, CancellationToken.None));
        Assert.False(await cache.TryAddAsync("c", expires, CancellationToken.None));
    }

    [Fact]
    public async Task InMemoryCache_ConcurrentAddsOfOneKey_ExactlyOneWins()
    {
        var cache = new InMemoryProofReplayCache(1000, _time);
        var expires = _time.GetUtcNow().ToUnixTimeSeconds() + 60;

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await cache.TryAddAsync("k", expires, CancellationToken.None))));

        Assert.Single(results, r => r);
    }
}
