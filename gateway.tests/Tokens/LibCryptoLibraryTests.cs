using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

/// <summary>The one load of libcrypto that the direct ECDSA, EC and SHA-256 paths share.</summary>
public sealed class LibCryptoLibraryTests
{
    private static readonly bool HasLibCrypto3 = OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libcrypto.so.3");

    [Fact]
    public void ExportAll_FunctionsLibCryptoHas_TheirAddressesWhereTheLibraryIs()
    {
        var exports = LibCryptoLibrary.ExportAll("SHA256_Init", "EVP_PKEY_verify");

        Assert.Equal(HasLibCrypto3, exports is not null);
        Assert.All(exports ?? [], address => Assert.NotEqual(0, address));
    }

    [Fact]
    public void ExportAll_OneNameLibCryptoLacks_Null()
    {
        // All or nothing: a class bound to part of its calls could not do its work.
        Assert.Null(LibCryptoLibrary.ExportAll("SHA256_Init", "gateway_no_such_function", "SHA256_Final"));
    }

    [Fact]
    public void Users_EveryDirectPath_AvailableWhereTheLibraryIs()
    {
        Assert.Equal(HasLibCrypto3, LibCrypto.IsAvailable);
        Assert.Equal(HasLibCrypto3, LibCryptoEc.IsAvailable);
        Assert.Equal(HasLibCrypto3, LibCryptoSha256.IsAvailable);
    }
}
