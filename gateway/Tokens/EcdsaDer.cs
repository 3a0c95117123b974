namespace Gateway.Tokens;

/// <summary>
/// A JWS ECDSA signature (RFC 7518 §3.4: R and S as fixed-width big-endian integers, one after the other) written as the
/// DER <c>SEQUENCE { INTEGER r, INTEGER s }</c> libcrypto verifies (RFC 3279 §2.2.3), into a caller's buffer. The
/// platform does this with a new AsnWriter per signature; a never-seen token would pay that garbage on every request.
/// </summary>
internal static class EcdsaDer
{
    /// <summary>The longest encoding of a signature of <paramref name="signatureBytes"/> bytes.</summary>
    public static int MaxLength(int signatureBytes) => 3 + (2 * (2 + 1 + (signatureBytes / 2)));

    /// <summary>
    /// Writes <paramref name="p1363"/> as DER into <paramref name="destination"/>. False for an empty or odd-length
    /// signature, one whose DER would need more than one length byte, or a destination too short for it
    /// (<see cref="MaxLength"/> is always enough).
    /// </summary>
    public static bool TryFromP1363(ReadOnlySpan<byte> p1363, Span<byte> destination, out int written)
    {
        written = 0;
        if (p1363.Length == 0 || p1363.Length % 2 != 0)
        {
            return false;
        }

        var half = p1363.Length / 2;
        var r = Trim(p1363[..half]);
        var s = Trim(p1363[half..]);
        var body = IntegerLength(r) + IntegerLength(s);

        // One length byte at most (P-521's 138 need the long form): far beyond any curve JOSE names.
        var header = body < 0x80 ? 2 : 3;
        if (body > 0xFF || destination.Length < header + body)
        {
            return false;
        }

        destination[0] = 0x30;
        if (header == 2)
        {
            destination[1] = (byte)body;
        }
        else
        {
            // Two P-521 integers make a body of up to 138 bytes: the long form with one length byte.
            destination[1] = 0x81;
            destination[2] = (byte)body;
        }

        var at = header;
        at += WriteInteger(r, destination[at..]);
        at += WriteInteger(s, destination[at..]);
        written = at;
        return true;
    }

    // DER INTEGER of an unsigned big-endian value: no leading zero bytes (Trim), one 0x00 in front when the top bit is
    // set (it would read as negative), and zero as the single byte 0x00.
    private static int IntegerLength(ReadOnlySpan<byte> trimmed) => 2 + ContentLength(trimmed);

    private static int ContentLength(ReadOnlySpan<byte> trimmed) => trimmed.Length == 0 ? 1 : trimmed.Length + (trimmed[0] >= 0x80 ? 1 : 0);

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value)
    {
        var first = value.IndexOfAnyExcept((byte)0);
        return first < 0 ? [] : value[first..];
    }

    private static int WriteInteger(ReadOnlySpan<byte> trimmed, Span<byte> destination)
    {
        var length = ContentLength(trimmed);
        destination[0] = 0x02;
        destination[1] = (byte)length;
        if (trimmed.Length == 0 || trimmed[0] >= 0x80)
        {
            destination[2] = 0;
        }

        trimmed.CopyTo(destination[(2 + length - trimmed.Length)..]);
        return 2 + length;
    }
}
