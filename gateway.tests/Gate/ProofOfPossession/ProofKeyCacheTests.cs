using Gateway.Gate.ProofOfPossession;
using Gateway.Testing;

namespace Gateway.Tests.Gate.ProofOfPossession;

/// <summary>The imported proof keys are reused, never trusted: every proof's signature is still checked.</summary>
public sealed class ProofKeyCacheTests
{
    public static TheoryData<string> Algorithms => ["ES256", "RS256", "PS256"];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void SecondProofBySameKey_Verifies_AndAForgedOneWithThatJwkStillFails(string alg)
    {
        using var fresh = alg == "ES256" ? TestKey.Es256() : null;
        var key = fresh ?? (alg == "RS256" ? TestKey.SharedRs256 : TestKey.SharedPs256);
        using var other = TestKey.Es256();
        var validator = ProofBuilder.Validator();

        var first = ProofBuilder.For(key);
        var second = ProofBuilder.For(key);
        // The victim's jwk in the header, signed by another key: the cached key must refuse it.
        var forged = ProofBuilder.For(key).With(p => p.Signer = alg == "ES256" ? other.Sign : TestKey.SharedEs256.Sign);

        Assert.True(Validate(validator, first).IsValid);
        Assert.True(Validate(validator, second).IsValid);
        Assert.Equal(DpopReasons.SignatureInvalid, Validate(validator, forged).Reason);
        Assert.True(Validate(validator, ProofBuilder.For(key)).IsValid);
    }

    [Fact]
    public void CacheOff_StillVerifies()
    {
        using var key = TestKey.Es256();
        var validator = ProofBuilder.Validator(o => o.KeyCacheSize = 0);

        Assert.True(Validate(validator, ProofBuilder.For(key)).IsValid);
        Assert.True(Validate(validator, ProofBuilder.For(key)).IsValid);
    }

    [Fact]
    public void ImportsAKeyOnce_AndAtCapacityStartsAfresh()
    {
        var cache = new ProofKeyCache(2);
        var imports = 0;
        System.Security.Cryptography.AsymmetricAlgorithm Import()
        {
            imports++;
            return System.Security.Cryptography.ECDsa.Create();
        }

        Assert.True(cache.Verify("a", Import, _ => true));
        Assert.False(cache.Verify("a", Import, _ => false));
        Assert.Equal(1, imports);
        cache.Verify("b", Import, _ => true);
        Assert.Equal(2, cache.Count);

        cache.Verify("c", Import, _ => true);

        Assert.Equal(3, imports);
        Assert.Equal(1, cache.Count);
    }

    private static DpopProofResult Validate(DpopProofValidator validator, ProofBuilder proof) =>
        validator.Validate(proof.Build(), ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, proof.Jkt, ProofBuilder.Now);
}
