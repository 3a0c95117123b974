using System.Numerics;
using System.Security.Cryptography;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

/// <summary>256-bit limb arithmetic against BigInteger, with the carry and borrow chains the random values rarely hit.</summary>
public sealed class LimbsTests
{
    private static readonly BigInteger Modulus = BigInteger.One << 256;

    public static TheoryData<string, string> Pairs => new()
    {
        { "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "1" },
        { "0", "1" },
        { "1", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
        { "FFFFFFFFFFFFFFFF", "1" },
        { "10000000000000000", "1" },
        { "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0000000000000000", "FFFFFFFFFFFFFFFF0000000000000001" },
        { "1234", "1234" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void AddSubtractBelow_Edges_AsBigInteger(string a, string b) => AssertAll(Parse(a), Parse(b));

    [Fact]
    public void AddSubtractBelow_RandomValues_AsBigInteger()
    {
        for (var i = 0; i < 2_000; i++)
        {
            AssertAll(Random(), i % 3 == 0 ? Random() >> (i % 256) : Random());
        }
    }

    private static void AssertAll(BigInteger a, BigInteger b)
    {
        var x = Of(a);
        var y = Of(b);
        Assert.Equal((a + b) % Modulus, Value(Limbs.Add(x, y)));
        Assert.Equal(((a - b) % Modulus + Modulus) % Modulus, Value(Limbs.Subtract(x, y, out var borrow)));
        Assert.Equal(a < b, borrow);
        Assert.Equal(a < b, Limbs.Below(x, y));
        Assert.Equal(a.IsZero, x.IsZero);
        Assert.Equal(a.IsOne, x.IsOne);
    }

    private static BigInteger Random() => new(RandomNumberGenerator.GetBytes(32), isUnsigned: true, isBigEndian: true);

    private static BigInteger Parse(string hex) => BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber);

    private static Limbs Of(BigInteger value) => new(
        (ulong)(value & ulong.MaxValue), (ulong)((value >> 64) & ulong.MaxValue), (ulong)((value >> 128) & ulong.MaxValue), (ulong)(value >> 192));

    private static BigInteger Value(Limbs limbs) =>
        limbs.L0 + ((BigInteger)limbs.L1 << 64) + ((BigInteger)limbs.L2 << 128) + ((BigInteger)limbs.L3 << 192);
}
