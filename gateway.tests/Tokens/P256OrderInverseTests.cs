using System.Numerics;
using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Tokens;
using static Gateway.Tests.Tokens.P256Reference;

namespace Gateway.Tests.Tokens;

/// <summary>The order inverse against BigInteger's Fermat inverse, on random values and the edges of its loop.</summary>
public sealed class P256OrderInverseTests
{
    public static TheoryData<string> Edges =>
    [
        "1", "2", "3", "-1", "-2", "(n-1)/2", "(n+1)/2", "2^255", "2^64", "2^63", "2^128+1", "2^224", "n-2^224",
    ];

    [Theory]
    [MemberData(nameof(Edges))]
    public void TryInvert_Edges_AsFermat(string name) => AssertInverse(Named(name));

    [Fact]
    public void TryInvert_RandomValues_AsFermat()
    {
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);

            // Every fifth value is short, so values with long runs of zero limbs come up too.
            var value = Mod(Number(i % 5 == 0 ? bytes.AsSpan(0, 1 + (i % 31)) : bytes), N - 1) + 1;
            AssertInverse(value);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("n")]
    [InlineData("n+1")]
    [InlineData("2^256-1")]
    public void TryInvert_OutsideOneToNMinusOne_False(string name)
    {
        var value = Named(name);
        var inverse = new byte[32];

        Assert.False(P256OrderInverse.TryInvert(Bytes(value), inverse));
        Assert.Equal(new byte[32], inverse);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("n-1", true)]
    [InlineData("n", false)]
    [InlineData("n+1", false)]
    [InlineData("2^256-1", false)]
    public void IsScalar_OneToNMinusOneOnly(string name, bool expected) => Assert.Equal(expected, P256OrderInverse.IsScalar(Bytes(Named(name))));

    [Fact]
    public void IsScalar_WrongLengths_False()
    {
        Assert.False(P256OrderInverse.IsScalar(new byte[31]));
        Assert.False(P256OrderInverse.IsScalar([.. new byte[32], 1]));
    }

    [Fact]
    public void NegInverse_IsMinusTheInverseOfNsLowLimb()
    {
        Assert.Equal(ulong.MaxValue, unchecked(P256OrderInverse.LowLimb * P256OrderInverse.NegInverse));
    }

    [Fact]
    public void TryInvert_WrongLengths_False()
    {
        Assert.False(P256OrderInverse.TryInvert(new byte[31], new byte[32]));
        Assert.False(P256OrderInverse.TryInvert(new byte[33], new byte[32]));
        Assert.False(P256OrderInverse.TryInvert(Bytes(5), new byte[31]));
    }

    [Fact]
    public void TryInvert_AllocatesNothing()
    {
        var value = RandomNumberGenerator.GetBytes(32);
        value[0] = 0x7F;
        var inverse = new byte[32];
        Assert.True(P256OrderInverse.TryInvert(value, inverse));

        var perCall = Allocations.PerCall(() => P256OrderInverse.TryInvert(value, inverse));

        Assert.True(perCall < 1, $"{perCall:N2} bytes allocated per call");
    }

    // The values the theories name, n being P-256's group order; plain numbers are decimal.
    private static BigInteger Named(string name) => name switch
    {
        "-1" or "n-1" => N - 1,
        "-2" => N - 2,
        "n" => N,
        "n+1" => N + 1,
        "(n-1)/2" => (N - 1) / 2,
        "(n+1)/2" => (N + 1) / 2,
        "n-2^224" => N - (BigInteger.One << 224),
        "2^255" => BigInteger.One << 255,
        "2^256-1" => (BigInteger.One << 256) - 1,
        "2^64" => BigInteger.One << 64,
        "2^63" => BigInteger.One << 63,
        "2^128+1" => (BigInteger.One << 128) + 1,
        "2^224" => BigInteger.One << 224,
        _ => BigInteger.Parse(name, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void AssertInverse(BigInteger value)
    {
        var inverse = new byte[32];
        Assert.True(P256OrderInverse.TryInvert(Bytes(value), inverse), $"no inverse of {value:X}");
        Assert.Equal(Inverse(value, N), Number(inverse));
        Assert.Equal(BigInteger.One, Mod(value * Number(inverse), N));
    }
}
