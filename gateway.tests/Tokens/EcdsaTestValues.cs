using System.Security.Cryptography;

namespace Gateway.Tests.Tokens;

/// <summary>Curves, orders and signature edits the ECDSA tests compare the gateway's checks with the platform's on.</summary>
internal static class EcdsaTestValues
{
    public static ECCurve CurveOf(string curve) => curve switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    public static HashAlgorithmName HashOf(string curve) => curve switch
    {
        "P-256" => HashAlgorithmName.SHA256,
        "P-384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    // The group order n: r or s equal to it is out of range and must be refused.
    public static byte[] OrderOf(string curve) => Convert.FromHexString(curve switch
    {
        "P-256" => "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        "P-384" => "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        _ => "01" + new string('F', 64) + "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
    });

    public static byte[] Join(byte[] r, byte[] s) => [.. r, .. s];

    public static byte[] Fixed(byte[] value, int width) => [.. new byte[width - value.Length], .. value];

    public static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at % copy.Length] ^= 0x01;
        return copy;
    }

    /// <summary>A P-256 signature over <paramref name="dataLength"/> random bytes, with the data's SHA-256 digest.</summary>
    public static (byte[] Digest, byte[] Signature) SignedDigest(ECDsa ecdsa, int dataLength)
    {
        var data = RandomNumberGenerator.GetBytes(dataLength);
        return (SHA256.HashData(data), ecdsa.SignData(data, HashAlgorithmName.SHA256));
    }

    /// <summary>
    /// Checks 4,000 signatures (half valid, half tampered) with <paramref name="verify"/> from 32 threads at once and
    /// counts the wrong answers: more threads than any pool of contexts, so none may share one.
    /// </summary>
    public static int WrongAnswersFromManyThreads(ECDsa ecdsa, Func<byte[], byte[], bool?> verify)
    {
        var inputs = Enumerable.Range(0, 64).Select(i =>
        {
            var (digest, signature) = SignedDigest(ecdsa, 50 + i);
            return (Digest: digest, Signature: i % 2 == 0 ? signature : Flip(signature, i));
        }).ToArray();

        var wrong = 0;
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 32 }, i =>
        {
            var (digest, signature) = inputs[i % inputs.Length];
            if (verify(digest, signature) != (i % inputs.Length % 2 == 0))
            {
                Interlocked.Increment(ref wrong);
            }
        });

        return wrong;
    }
}
