using System.Buffers.Binary;
using System.Text;

namespace Gateway.Gate.Connections;

/// <summary>
/// A WebSocket close frame as a server sends it (RFC 6455 §5.5.1): FIN and opcode 0x8, unmasked, payload the 2-byte
/// status code (network byte order) and a UTF-8 reason of at most 123 bytes (a control frame's payload is at most 125).
/// </summary>
internal static class CloseFrame
{
    /// <summary>The gateway's close code: 4000-4999 is for applications (RFC 6455 §7.4.2); 4001 mirrors HTTP 401.</summary>
    public const ushort RevokedCode = 4001;

    public const int MaxReasonBytes = 123;

    public static byte[] Encode(ushort code, string reason)
    {
        var length = Math.Min(Encoding.UTF8.GetByteCount(reason), MaxReasonBytes);
        var bytes = Encoding.UTF8.GetBytes(reason);
        // Never cut a multi-byte character: step back to the start of the character at the cut.
        while (length < bytes.Length && length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        var frame = new byte[4 + length];
        frame[0] = 0x88;
        frame[1] = (byte)(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), code);
        bytes.AsSpan(0, length).CopyTo(frame.AsSpan(4));
        return frame;
    }
}
