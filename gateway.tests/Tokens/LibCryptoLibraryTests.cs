using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

/// <summary>The one load of libcrypto that the direct ECDSA, EC and SHA-256 paths share.</summary>
public sealed class LibCryptoLibraryTests
{
    private static readonly bool HasLibCrypto3 = OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");

    [Fact]
    public void Export_AFunctionLibCryptoHas_ItsAddressWhereTheLibraryIs()
    {
        Assert.Equal(HasLibCrypto3, LibCryptoLibrary.Export("SHA256_Init") != 0);
        Assert.Equal(HasLibCrypto3, LibCryptoLibrary.Export("EVP_PKEY_verify") != 0);
    }

    [Fact]
    public void Export_ANameLibCryptoLacks_Zero()
    {
        Assert.Equal(0, LibCryptoLibrary.Export("gateway_no_such_function"));
    }

    [Fact]
    public void Users_EveryDirectPath_AvailableWhereTheLibraryIs()
    {
        Assert.Equal(HasLibCrypto3, LibCrypto.IsAvailable);
        Assert.Equal(HasLibCrypto3, LibCryptoEc.IsAvailable);
        Assert.Equal(HasLibCrypto3, LibCryptoSha256.IsAvailable);
    }
}
