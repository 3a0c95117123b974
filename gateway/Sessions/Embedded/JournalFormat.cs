using System.Buffers.Binary;
using System.Text;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// The journal's bytes. A file is an 8-byte header (<c>GWJRNL1\n</c>) followed by records, each
/// <c>[int32 length][uint32 crc][payload]</c>, little-endian, where the CRC-32 covers the length field and the payload,
/// and the payload is <c>[int64 expiresAt][int32 n][kind][int32 n][key][int32 n or -1 for null][value]</c> (UTF-8).
/// </summary>
internal static class JournalFormat
{
    public const int RecordHeaderSize = 8;

    /// <summary>Largest payload accepted: a record is one write, so a torn tail is never longer than this.</summary>
    public const int MaxPayloadSize = 64 * 1024;

    /// <summary>expiresAt + three length fields.</summary>
    public const int MinPayloadSize = 8 + 4 + 4 + 4;

    public static ReadOnlySpan<byte> FileHeader => "GWJRNL1\n"u8;

    public static int EncodedSize(in JournalRecord record) =>
        RecordHeaderSize + MinPayloadSize
        + Encoding.UTF8.GetByteCount(record.Kind)
        + Encoding.UTF8.GetByteCount(record.Key)
        + (record.Value is null ? 0 : Encoding.UTF8.GetByteCount(record.Value));

    /// <summary>The record's bytes, header included.</summary>
    public static byte[] Encode(in JournalRecord record)
    {
        var size = EncodedSize(record);
        if (size - RecordHeaderSize > MaxPayloadSize)
        {
            throw new ArgumentException($"A journal record may hold at most {MaxPayloadSize} bytes; this one needs {size - RecordHeaderSize}.", nameof(record));
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, size - RecordHeaderSize);
        var at = RecordHeaderSize;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], record.ExpiresAt);
        at += 8;
        at += WriteString(span[at..], record.Kind);
        at += WriteString(span[at..], record.Key);
        at += WriteString(span[at..], record.Value);
        System.Diagnostics.Debug.Assert(at == size, "encoded size");
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Checksum(span, size - RecordHeaderSize));
        return buffer;
    }

    public static JournalReadResult TryRead(ReadOnlySpan<byte> span, out JournalRecord record, out int size)
    {
        record = default;
        size = 0;
        if (span.Length < RecordHeaderSize)
        {
            return JournalReadResult.Truncated;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (length < MinPayloadSize || length > MaxPayloadSize)
        {
            return JournalReadResult.Invalid;
        }

        if (span.Length < RecordHeaderSize + length)
        {
            return JournalReadResult.Truncated;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(span[4..]) != Checksum(span, length))
        {
            return JournalReadResult.Invalid;
        }

        var payload = span.Slice(RecordHeaderSize, length);
        var expiresAt = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var at = 8;
        if (!TryReadString(payload, ref at, out var kind) || kind is null
            || !TryReadString(payload, ref at, out var key) || key is null
            || !TryReadString(payload, ref at, out var value) || at != length)
        {
            return JournalReadResult.Invalid;
        }

        record = new JournalRecord(kind, key, value, expiresAt);
        size = RecordHeaderSize + length;
        return JournalReadResult.Ok;
    }

    private static uint Checksum(ReadOnlySpan<byte> record, int payloadLength)
    {
        // The length field and the payload: a torn or flipped length cannot pass as another record.
        var state = Crc32.Update(Crc32.Initial, record[..4]);
        return Crc32.Finish(Crc32.Update(state, record.Slice(RecordHeaderSize, payloadLength)));
    }

    private static int WriteString(Span<byte> span, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, -1);
            return 4;
        }

        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, written);
        return 4 + written;
    }

    private static bool TryReadString(ReadOnlySpan<byte> payload, ref int at, out string? value)
    {
        value = null;
        if (payload.Length - at < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
        at += 4;
        if (length == -1)
        {
            return true;
        }

        if (length < 0 || length > payload.Length - at)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(payload.Slice(at, length));
        at += length;
        return true;
    }
}
