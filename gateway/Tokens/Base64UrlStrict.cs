using System.Buffers;
using System.Buffers.Text;

namespace Gateway.Tokens;

/// <summary>
/// Canonical base64url only: the URL-safe alphabet, no padding, no whitespace, and zero unused trailing bits, so
/// one value has exactly one spelling (a lenient decoder lets the same token, proof or key travel under many).
/// </summary>
internal static class Base64UrlStrict
{
    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool IsCanonical(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyExcept(Alphabet) >= 0)
        {
            return false;
        }

        return (text.Length % 4) switch
        {
            0 => true,
            1 => false,
            // 2 chars carry 8 bits (4 unused), 3 chars carry 16 bits (2 unused): the unused bits must be zero.
            2 => (Value(text[^1]) & 0x0F) == 0,
            _ => (Value(text[^1]) & 0x03) == 0,
        };
    }

    public static int DecodedLength(int encodedLength) => Base64Url.GetMaxDecodedLength(encodedLength);

    /// <summary>Decodes canonical base64url into <paramref name="destination"/> (at least <see cref="DecodedLength"/> bytes).</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        if (!IsCanonical(text) || destination.Length < Base64Url.GetMaxDecodedLength(text.Length))
        {
            return false;
        }

        return Base64Url.DecodeFromChars(text, destination, out var consumed, out written) == OperationStatus.Done && consumed == text.Length;
    }

    /// <summary>Decodes canonical base64url into a new array; null when the text is not canonical base64url.</summary>
    public static byte[]? Decode(string text)
    {
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (!TryDecode(text, buffer, out var written))
        {
            return null;
        }

        return written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
    }

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };
}
