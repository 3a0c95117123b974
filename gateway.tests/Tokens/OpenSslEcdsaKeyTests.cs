using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Tokens;
using static Gateway.Tests.Tokens.EcdsaTestValues;

namespace Gateway.Tests.Tokens;

/// <summary>
/// The libcrypto ECDSA check must answer exactly as the platform's ECDsa does, for valid, tampered and hostile
/// signatures on every JOSE curve; these compare the two on the same inputs.
/// </summary>
public sealed class OpenSslEcdsaKeyTests
{
    public static TheoryData<string> Curves => ["P-256", "P-384", "P-521"];

    [Fact]
    public void LibCrypto_IsThereOnLinux()
    {
        // The gateway's images and CI are Linux with OpenSSL 3: the fast path must not silently fall back there.
        Assert.Equal(OperatingSystem.IsLinux(), LibCrypto.IsAvailable);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Verify_AgreesWithThePlatform_OnValidTamperedAndHostileSignatures(string curve)
    {
        using var ecdsa = ECDsa.Create(CurveOf(curve));
        using var other = ECDsa.Create(CurveOf(curve));
        var hash = HashOf(curve);
        var key = Native(ecdsa);
        var order = OrderOf(curve);
        var field = key.SignatureBytes / 2;

        for (var i = 0; i < 100; i++)
        {
            var data = RandomNumberGenerator.GetBytes(1 + (i * 7));
            var signature = ecdsa.SignData(data, hash);
            byte[][] cases =
            [
                signature,
                Flip(signature, i % signature.Length),
                other.SignData(data, hash),
                Join(signature[..field], new byte[field]),
                Join(new byte[field], signature[field..]),
                Join(Fixed(order, field), signature[field..]),
                Join(signature[..field], Fixed(order, field)),
                Enumerable.Repeat((byte)0xFF, 2 * field).ToArray(),
            ];

            foreach (var candidate in cases)
            {
                var digest = CryptographicOperations.HashData(hash, data);
                Assert.Equal(ecdsa.VerifyData(data, candidate, hash), key.Verify(digest, candidate));
            }

            Assert.True(key.Verify(CryptographicOperations.HashData(hash, data), signature));
        }
    }

    [Fact]
    public void Verify_SignatureOfTheWrongLength_False()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (key, digest, signature) = SignedP256(ecdsa, 40);

        Assert.False(key.Verify(digest, signature.AsSpan(0, signature.Length - 1)));
        Assert.False(key.Verify(digest, [.. signature, 0]));
        Assert.False(key.Verify(digest, [0, .. signature, 0]));
        Assert.False(key.Verify(digest, []));
    }

    [Fact]
    public void Verify_FromManyThreadsAtOnce_EveryAnswerRight()
    {
        // More threads than pooled contexts: some make and free their own, none shares one.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = Native(ecdsa);

        Assert.Equal(0, WrongAnswersFromManyThreads(ecdsa, (digest, signature) => key.Verify(digest, signature)));
    }

    [Fact]
    public void Verify_AllocatesNothing()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (key, digest, signature) = SignedP256(ecdsa, 300);
        Assert.True(key.Verify(digest, signature));

        var perCall = Allocations.PerCall(() => key.Verify(digest, signature));

        Assert.True(perCall < 1, $"{perCall:N2} bytes allocated per call");
    }

    // The key in libcrypto and one valid signature, with its SHA-256 digest, over dataLength random bytes.
    private static (OpenSslEcdsaKey Key, byte[] Digest, byte[] Signature) SignedP256(ECDsa ecdsa, int dataLength)
    {
        var (digest, signature) = SignedDigest(ecdsa, dataLength);
        return (Native(ecdsa), digest, signature);
    }

    private static OpenSslEcdsaKey Native(ECDsa ecdsa) =>
        OpenSslEcdsaKey.TryCreate(ecdsa) ?? throw new InvalidOperationException("libcrypto did not take the key");
}
