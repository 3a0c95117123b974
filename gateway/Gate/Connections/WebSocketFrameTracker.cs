namespace Gateway.Gate.Connections;

/// <summary>
/// Follows the frame structure (RFC 6455 §5.2) of bytes copied through a WebSocket, without buffering them: where each
/// frame ends, and whether a close frame went by. It lets the gateway put its own close frame between two frames,
/// never inside one that is being copied in several writes. Not thread-safe: one per direction, used by its copier.
/// </summary>
internal sealed class WebSocketFrameTracker
{
    private const int CloseOpcode = 0x8;

    // The header so far: 2 bytes, then up to 8 of extended length, then 4 of mask.
    private readonly byte[] _header = new byte[14];
    private int _headerLength;
    private long _payloadLeft;

    /// <summary>No frame is partly through: a new frame may start here.</summary>
    public bool AtBoundary => _headerLength == 0 && _payloadLeft == 0;

    /// <summary>A close frame's header went by.</summary>
    public bool SawClose { get; private set; }

    /// <summary>
    /// Takes in copied bytes and returns how many it took: all of them, or with <paramref name="stopAtBoundary"/> only
    /// up to the first frame boundary (0 when already at one).
    /// </summary>
    public int Advance(ReadOnlySpan<byte> data, bool stopAtBoundary)
    {
        var taken = 0;
        while (taken < data.Length)
        {
            if (stopAtBoundary && AtBoundary)
            {
                return taken;
            }

            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, data.Length - taken);
                _payloadLeft -= skip;
                taken += skip;
                continue;
            }

            _header[_headerLength++] = data[taken++];
            var needed = HeaderSize();
            if (_headerLength == needed)
            {
                if ((_header[0] & 0x0F) == CloseOpcode)
                {
                    SawClose = true;
                }

                _payloadLeft = PayloadLength();
                _headerLength = 0;
            }
        }

        return taken;
    }

    private int HeaderSize()
    {
        if (_headerLength < 2)
        {
            return 2;
        }

        var length = _header[1] & 0x7F;
        var extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        var mask = (_header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private long PayloadLength()
    {
        var length = _header[1] & 0x7F;
        return length switch
        {
            126 => (_header[2] << 8) | _header[3],
            // A 64-bit length has its top bit clear (RFC 6455 §5.2); mask it so a hostile peer cannot make it negative.
            127 => (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2, 8)) & long.MaxValue),
            _ => length,
        };
    }
}
