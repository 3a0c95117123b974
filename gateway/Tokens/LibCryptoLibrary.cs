using System.Runtime.InteropServices;

namespace Gateway.Tokens;

/// <summary>
/// <c>libcrypto.so.3</c>, the library .NET itself verifies and hashes with on Linux, loaded once for the classes that
/// call it directly (<see cref="LibCrypto"/>, <see cref="LibCryptoEc"/>, <see cref="LibCryptoSha256"/>). Elsewhere, or
/// when it is missing, every export is 0 and those classes leave the work to the platform.
/// </summary>
internal static class LibCryptoLibrary
{
    private static readonly nint Handle = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out var handle) ? handle : 0;

    /// <summary>The address of the exported function <paramref name="name"/>, or 0.</summary>
    public static nint Export(string name) => Handle != 0 && NativeLibrary.TryGetExport(Handle, name, out var address) ? address : 0;
}
