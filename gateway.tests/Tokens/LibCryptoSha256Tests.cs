using System.Security.Cryptography;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

/// <summary>
/// libcrypto's SHA-256 against the platform's, on the lengths around its 64-byte blocks and on token sizes (where
/// libcrypto is missing, these check the fallback; LibCryptoLibraryTests says which path this machine takes).
/// </summary>
public sealed class LibCryptoSha256Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(119)]
    [InlineData(354)]
    [InlineData(1_000)]
    [InlineData(8_192)]
    public void Hash_RandomBytes_SameAsThePlatform(int length)
    {
        var data = RandomNumberGenerator.GetBytes(length);
        var digest = new byte[32];

        var written = LibCryptoSha256.Hash(data, digest);

        Assert.Equal(32, written);
        Assert.Equal(SHA256.HashData(data), digest);
    }

    [Fact]
    public void Hash_LongerDestination_WritesTheFirst32BytesOnly()
    {
        var data = "abc"u8.ToArray();
        var destination = new byte[64];
        Array.Fill(destination, (byte)0xAA);

        LibCryptoSha256.Hash(data, destination);

        Assert.Equal(SHA256.HashData(data), destination[..32]);
        Assert.All(destination[32..], b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public void Hash_ShortDestination_Refused()
    {
        Assert.Throws<ArgumentException>(() => LibCryptoSha256.Hash([1, 2, 3], new byte[31]));
    }

    [Fact]
    public void Hash_AllocatesNothing()
    {
        var data = RandomNumberGenerator.GetBytes(354);
        var digest = new byte[32];
        LibCryptoSha256.Hash(data, digest);

        var perCall = Allocations.PerCall(() => LibCryptoSha256.Hash(data, digest));

        Assert.True(perCall < 1, $"{perCall:N2} bytes allocated per call");
    }
}
