using System.Security.Cryptography;

namespace Gateway.Tokens;

/// <summary>
/// SHA-256 through libcrypto's <c>SHA256_Init</c>/<c>Update</c>/<c>Final</c> on a context on the stack, for the digests
/// requests pay: the verified-token cache's key (every request with a token), the ES256 signing input (every never-seen
/// token), and the DPoP and certificate thumbprints of sender-constrained tokens.
/// </summary>
/// <remarks>
/// The platform's <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> makes and frees an <c>EVP_MD_CTX</c> and
/// has OpenSSL 3 look the algorithm up in its provider on every call: 540–630 ns for a 354-byte token on the load-test
/// machine, against 200–220 ns here for the same bytes through the same SHA-NI code. Falls back to the platform where
/// libcrypto 3 or these exports are missing (they are deprecated in OpenSSL 3, not removed).
/// </remarks>
internal static unsafe class LibCryptoSha256
{
    // sizeof(SHA256_CTX) is 112 bytes (openssl/sha.h: eight state words, two length words, sixteen block words, two
    // counters); more is reserved in case a build pads it.
    private const int ContextBytes = 256;

    private static readonly delegate* unmanaged<byte*, int> Init;
    private static readonly delegate* unmanaged<byte*, byte*, nuint, int> Update;
    private static readonly delegate* unmanaged<byte*, byte*, int> Final;

#pragma warning disable CA1810 // The exports are looked up together, and only when the library loads: one static constructor says so best.
    static LibCryptoSha256()
#pragma warning restore CA1810
    {
        if (LibCryptoLibrary.ExportAll("SHA256_Init", "SHA256_Update", "SHA256_Final") is not { } exports)
        {
            return;
        }

        Init = (delegate* unmanaged<byte*, int>)exports[0];
        Update = (delegate* unmanaged<byte*, byte*, nuint, int>)exports[1];
        Final = (delegate* unmanaged<byte*, byte*, int>)exports[2];
        IsAvailable = true;
    }

    /// <summary>Whether libcrypto's SHA-256 is used; when false, every call goes to the platform.</summary>
    public static bool IsAvailable { get; }

    /// <summary>
    /// Writes the SHA-256 digest of <paramref name="data"/> to the first 32 bytes of <paramref name="destination"/> and
    /// gives their count, as <see cref="CryptographicOperations.HashData(HashAlgorithmName, ReadOnlySpan{byte}, Span{byte})"/> does.
    /// </summary>
    public static int Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The destination is shorter than a SHA-256 digest.", nameof(destination));
        }

        if (IsAvailable)
        {
            var context = stackalloc byte[ContextBytes];
            fixed (byte* input = data)
            fixed (byte* output = destination)
            {
                if (Init(context) == 1 && Update(context, input, (nuint)data.Length) == 1 && Final(output, context) == 1)
                {
                    return SHA256.HashSizeInBytes;
                }
            }
        }

        return SHA256.HashData(data, destination);
    }
}
