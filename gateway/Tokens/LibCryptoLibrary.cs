using System.Runtime.InteropServices;

namespace Gateway.Tokens;

/// <summary>
/// <c>libcrypto.so.3</c>, the library .NET itself verifies and hashes with on Linux, loaded once for the classes that
/// call it directly (<see cref="LibCrypto"/>, <see cref="LibCryptoEc"/>, <see cref="LibCryptoSha256"/>). Elsewhere, or
/// when it is missing, no export is found and those classes leave the work to the platform.
/// </summary>
internal static class LibCryptoLibrary
{
    private static readonly nint Handle = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out var handle) ? handle : 0;

    /// <summary>
    /// The addresses of the exported functions <paramref name="names"/>, in order; null when the library or any one of
    /// them is missing, since a class bound to part of its calls could not do its work.
    /// </summary>
    public static nint[]? ExportAll(params string[] names)
    {
        if (Handle == 0)
        {
            return null;
        }

        var addresses = new nint[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (!NativeLibrary.TryGetExport(Handle, names[i], out addresses[i]))
            {
                return null;
            }
        }

        return addresses;
    }
}
