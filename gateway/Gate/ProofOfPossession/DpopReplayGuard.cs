using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Refuses a second use of one proof (RFC 9449 §11.1): a valid proof's key thumbprint and <c>jti</c> go into the
/// replay cache until the proof's <c>iat</c> leaves the window. The cache key is a digest of both, so it holds no
/// access token and no client-chosen text, and one client's <c>jti</c> never collides with another key's.
/// </summary>
internal sealed class DpopReplayGuard
{
    private readonly IProofReplayCache _cache;
    private readonly long _windowSeconds;

    public DpopReplayGuard(IProofReplayCache cache, DpopOptions options)
    {
        _cache = cache;
        _windowSeconds = (long)options.IatWindow.TotalSeconds;
    }

    /// <summary>True the first time a valid proof is seen; false for a replay (reason <see cref="DpopReasons.ProofReplayed"/>).</summary>
    public ValueTask<bool> TryAcceptAsync(DpopProofResult proof, CancellationToken cancellationToken)
    {
        if (!proof.IsValid || proof.Jti is null || proof.Thumbprint is null)
        {
            throw new ArgumentException("only a valid proof can be recorded", nameof(proof));
        }

        // The proof is acceptable while now <= iat + window; one second more covers the rounding of now.
        return _cache.TryAddAsync(Key(proof.Thumbprint, proof.Jti), proof.Iat + _windowSeconds + 1, cancellationToken);
    }

    /// <summary><c>dpop:</c> + base64url(SHA-256(thumbprint ‖ 0x00 ‖ UTF-8 jti)).</summary>
    public static string Key(string thumbprint, string jti)
    {
        var length = Encoding.UTF8.GetMaxByteCount(thumbprint.Length + jti.Length) + 1;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(thumbprint, rented);
            rented[written++] = 0;
            written += Encoding.UTF8.GetBytes(jti, rented.AsSpan(written));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            LibCryptoSha256.Hash(rented.AsSpan(0, written), hash);
            return string.Concat("dpop:", Base64Url.EncodeToString(hash));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
