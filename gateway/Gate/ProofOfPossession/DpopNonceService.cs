using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Stateless server nonces (RFC 9449 §8) that every instance sharing the secret issues and accepts alike: a nonce is
/// base64url(HMAC-SHA256(secret, label ‖ step)) where step = Unix seconds / <c>NonceStep</c>. A nonce is valid in
/// its own step and the next, so it lives between one and two steps; nothing is stored.
/// </summary>
internal sealed class DpopNonceService : IDpopNonceCheck
{
    public const int MinSecretBytes = 32;

    private const int MacBytes = SHA256.HashSizeInBytes;

    // Keeps these MACs apart from any other use of the same secret.
    private static ReadOnlySpan<byte> Label => "gateway/dpop-nonce/v1"u8;

    private readonly byte[] _secret;
    private readonly long _stepSeconds;

    public DpopNonceService(byte[] secret, TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(secret.Length, MinSecretBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, TimeSpan.FromSeconds(1));
        _secret = secret.ToArray();
        _stepSeconds = (long)step.TotalSeconds;
    }

    /// <summary>The service the options describe; null when <c>Gateway:Dpop:NonceSecret</c> is absent (nonces off).</summary>
    public static DpopNonceService? FromOptions(DpopOptions options) =>
        options.NonceSecret is { } text && TryDecodeSecret(text, out var secret) ? new DpopNonceService(secret, options.NonceStep) : null;

    public static bool TryDecodeSecret(string text, [NotNullWhen(true)] out byte[]? secret)
    {
        secret = null;
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written < MinSecretBytes)
        {
            return false;
        }

        secret = buffer[..written];
        return true;
    }

    /// <summary>The nonce for the step <paramref name="now"/> falls in (the <c>DPoP-Nonce</c> header value).</summary>
    public string Issue(DateTimeOffset now)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        Compute(Step(now), mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>True for a nonce of the current or the previous step; compared in constant time.</summary>
    public bool IsValid(string nonce, DateTimeOffset now)
    {
        Span<byte> presented = stackalloc byte[MacBytes];
        if (nonce is null || nonce.Length != Base64Url.GetEncodedLength(MacBytes) ||
            !Base64UrlStrict.TryDecode(nonce, presented, out var written) || written != MacBytes)
        {
            return false;
        }

        var step = Step(now);
        Span<byte> current = stackalloc byte[MacBytes];
        Span<byte> previous = stackalloc byte[MacBytes];
        Compute(step, current);
        Compute(step - 1, previous);
        // Both comparisons always run: the time taken says nothing about which step matched.
        return CryptographicOperations.FixedTimeEquals(presented, current) | CryptographicOperations.FixedTimeEquals(presented, previous);
    }

    private long Step(DateTimeOffset now) => now.ToUnixTimeSeconds() / _stepSeconds;

    private void Compute(long step, Span<byte> mac)
    {
        Span<byte> message = stackalloc byte[Label.Length + sizeof(long)];
        Label.CopyTo(message);
        BinaryPrimitives.WriteInt64BigEndian(message[Label.Length..], step);
        HMACSHA256.HashData(_secret, message, mac);
    }
}
