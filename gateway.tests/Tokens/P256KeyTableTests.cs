using System.Numerics;
using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Tokens;
using static Gateway.Tests.Tokens.EcdsaTestValues;
using static Gateway.Tests.Tokens.P256Reference;

namespace Gateway.Tests.Tokens;

/// <summary>
/// The ES256 check built from libcrypto's arithmetic and a table of the key's multiples must answer exactly as the
/// platform's ECDsa does: on valid, tampered and hostile signatures, and on the two rare branches a signer never
/// reaches by chance (a sum at infinity, an R whose x lies between n and p), built here with textbook arithmetic.
/// </summary>
public sealed class P256KeyTableTests
{
    [Fact]
    public void LibCryptoEc_IsThereOnLinux()
    {
        // CI and the images are Linux with OpenSSL 3: the table must not silently be skipped there.
        Assert.Equal(OperatingSystem.IsLinux(), LibCryptoEc.IsAvailable);
    }

    [Fact]
    public void Verify_AgreesWithThePlatform_OnValidTamperedAndHostileSignatures()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var order = OrderOf("P-256");
        var belowOrder = Bytes(N - 1);

        for (var i = 0; i < 100; i++)
        {
            var data = RandomNumberGenerator.GetBytes(1 + (i * 7));
            var signature = ecdsa.SignData(data, HashAlgorithmName.SHA256);
            byte[][] cases =
            [
                signature,
                Flip(signature, i % signature.Length),
                other.SignData(data, HashAlgorithmName.SHA256),
                Join(signature[..32], new byte[32]),
                Join(new byte[32], signature[32..]),
                Join(order, signature[32..]),
                Join(signature[..32], order),
                Join(belowOrder, signature[32..]),
                Join(signature[..32], belowOrder),
                Join(signature[32..], signature[..32]),
                Enumerable.Repeat((byte)0xFF, 64).ToArray(),
            ];

            var digest = SHA256.HashData(data);
            foreach (var candidate in cases)
            {
                Assert.Equal(ecdsa.VerifyHash(digest, candidate), table.Verify(digest, candidate));
            }

            Assert.True(table.Verify(digest, signature));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(64)]
    public void Verify_DigestsOfOtherLengths_AsThePlatform(int length)
    {
        // e is the digest's leftmost 256 bits (FIPS 186-4 §6.4): longer digests are cut, shorter ones taken whole.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var digest = RandomNumberGenerator.GetBytes(length);
        var signature = ecdsa.SignHash(digest);
        byte[] longer = [.. digest, 1];

        Assert.True(ecdsa.VerifyHash(digest, signature));
        Assert.True(table.Verify(digest, signature));
        Assert.Equal(ecdsa.VerifyHash(longer, signature), table.Verify(longer, signature));
    }

    [Fact]
    public void Verify_DigestOfZeros_AsThePlatform()
    {
        // e = 0 makes u1×G the point at infinity: the sum is u2×Q alone.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var digest = new byte[32];
        var signature = ecdsa.SignHash(digest);

        Assert.True(table.Verify(digest, signature));
        Assert.False(table.Verify(digest, Flip(signature, 40)));
    }

    [Fact]
    public void Verify_SumAtInfinity_False()
    {
        // With the private key d, choose e = −r·d (mod n): then u1×G + u2×Q = (e + r·d)/s × G is the point at infinity,
        // which has no x and must never verify.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var d = Number(ecdsa.ExportParameters(includePrivateParameters: true).D);
        var r = Mod(Number(RandomNumberGenerator.GetBytes(32)), N - 1) + 1;
        var s = Mod(Number(RandomNumberGenerator.GetBytes(32)), N - 1) + 1;
        var digest = Bytes(Mod(-r * d, N));
        var signature = Join(Bytes(r), Bytes(s));

        Assert.False(ecdsa.VerifyHash(digest, signature));
        Assert.False(table.Verify(digest, signature));
    }

    [Fact]
    public void Verify_RWhoseXLiesBetweenOrderAndPrime_TrueAsThePlatform()
    {
        // x(R) mod n = r also holds for x = r + n when that is below p. A signer meets it with odds near 2^-128, so build
        // it: take a point R with x in [n, p), r = x − n, any s and e, and the key Q = (R − u1×G) / u2 that makes
        // u1×G + u2×Q = R.
        var x = N + 12_345;
        (BigInteger X, BigInteger Y)? point = null;
        while (point is null)
        {
            point = Lift(++x);
        }

        var r = point.Value.X - N;
        var s = Mod(Number(RandomNumberGenerator.GetBytes(32)), N - 1) + 1;
        var digest = RandomNumberGenerator.GetBytes(32);
        var w = Inverse(s, N);
        var u1 = Mod(Number(digest) * w, N);
        var u2 = Mod(r * w, N);
        var q = Multiply(Inverse(u2, N), Add(point, Negate(Multiply(u1, G))))!.Value;
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Bytes(q.X), Y = Bytes(q.Y) },
        });
        var table = TableOf(ecdsa);
        var signature = Join(Bytes(r), Bytes(s));

        Assert.True(ecdsa.VerifyHash(digest, signature));
        Assert.True(table.Verify(digest, signature));
        Assert.False(table.Verify(digest, Join(Bytes(r + 1), Bytes(s))));
        Assert.False(ecdsa.VerifyHash(Flip(digest, 3), signature));
        Assert.False(table.Verify(Flip(digest, 3), signature));
    }

    [Fact]
    public void Verify_SignatureOfTheWrongLength_False()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var (digest, signature) = SignedDigest(ecdsa, 40);

        Assert.False(table.Verify(digest, signature.AsSpan(0, 63)));
        Assert.False(table.Verify(digest, [.. signature, 0]));
        Assert.False(table.Verify(digest, []));
    }

    [Fact]
    public void TryCreate_OtherCurves_Null()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);

        Assert.Null(P256KeyTable.TryCreate(p384));
        Assert.Null(P256KeyTable.TryCreate(p521));
        Assert.False(P256KeyTable.Fits(p384));
    }

    [Fact]
    public void TryCreate_DisposedKey_Null()
    {
        // The table is built on the thread pool, where an exception would end the process: a disposed key gives null.
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ecdsa.Dispose();

        Assert.Null(P256KeyTable.TryCreate(ecdsa));
    }

    [Fact]
    public void Verify_FromManyThreadsAtOnce_EveryAnswerRight()
    {
        // Each thread has its own working set; the table is shared and only read.
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);

        Assert.Equal(0, WrongAnswersFromManyThreads(ecdsa, (digest, signature) => table.Verify(digest, signature)));
    }

    [Fact]
    public void Verify_AllocatesNothing()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var table = TableOf(ecdsa);
        var (digest, signature) = SignedDigest(ecdsa, 300);
        Assert.True(table.Verify(digest, signature));

        var perCall = Allocations.PerCall(() => table.Verify(digest, signature));

        Assert.True(perCall < 1, $"{perCall:N2} bytes allocated per call");
    }

    private static P256KeyTable TableOf(ECDsa ecdsa) =>
        P256KeyTable.TryCreate(ecdsa) ?? throw new InvalidOperationException("libcrypto did not build the key's table");
}
