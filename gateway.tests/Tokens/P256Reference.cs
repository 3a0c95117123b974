using System.Numerics;

namespace Gateway.Tests.Tokens;

/// <summary>
/// Textbook P-256 arithmetic in affine coordinates with BigInteger: slow and plain, so tests can build keys and
/// signatures no signer makes (a sum at infinity, an R whose x lies in [n, p)) and check the fast path on them.
/// </summary>
internal static class P256Reference
{
    public static readonly BigInteger P = Parse("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
    public static readonly BigInteger N = Parse("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    public static readonly BigInteger B = Parse("5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B");
    public static readonly (BigInteger X, BigInteger Y) G = (
        Parse("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"),
        Parse("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"));

    public static BigInteger Parse(string hex) => BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber);

    public static BigInteger Mod(BigInteger value, BigInteger modulus) => ((value % modulus) + modulus) % modulus;

    public static BigInteger Inverse(BigInteger value, BigInteger modulus) => BigInteger.ModPow(Mod(value, modulus), modulus - 2, modulus);

    /// <summary>Big-endian, exactly 32 bytes.</summary>
    public static byte[] Bytes(BigInteger value)
    {
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return [.. new byte[32 - raw.Length], .. raw];
    }

    public static BigInteger Number(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>The point with this x, when x³ − 3x + b is a square mod p (p ≡ 3 mod 4, so the root is a power).</summary>
    public static (BigInteger X, BigInteger Y)? Lift(BigInteger x)
    {
        var right = Mod((x * x * x) - (3 * x) + B, P);
        var y = BigInteger.ModPow(right, (P + 1) / 4, P);
        return Mod(y * y, P) == right ? (x, y) : null;
    }

    public static (BigInteger X, BigInteger Y)? Add((BigInteger X, BigInteger Y)? a, (BigInteger X, BigInteger Y)? b)
    {
        if (a is not { } p1)
        {
            return b;
        }

        if (b is not { } p2)
        {
            return a;
        }

        BigInteger slope;
        if (p1.X == p2.X)
        {
            if (Mod(p1.Y + p2.Y, P) == 0)
            {
                return null;
            }

            slope = Mod(((3 * p1.X * p1.X) - 3) * Inverse(2 * p1.Y, P), P);
        }
        else
        {
            slope = Mod((p2.Y - p1.Y) * Inverse(p2.X - p1.X, P), P);
        }

        var x = Mod((slope * slope) - p1.X - p2.X, P);
        return (x, Mod((slope * (p1.X - x)) - p1.Y, P));
    }

    public static (BigInteger X, BigInteger Y)? Multiply(BigInteger k, (BigInteger X, BigInteger Y)? point)
    {
        (BigInteger X, BigInteger Y)? result = null;
        for (var bit = (int)k.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Add(result, result);
            if (!(k >> bit).IsEven)
            {
                result = Add(result, point);
            }
        }

        return result;
    }

    public static (BigInteger X, BigInteger Y)? Negate((BigInteger X, BigInteger Y)? point) =>
        point is { } p ? (p.X, Mod(-p.Y, P)) : null;
}
