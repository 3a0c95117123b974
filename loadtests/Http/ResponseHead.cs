using System.Buffers.Text;
using System.Text;

namespace LoadTests.Http;

/// <summary>
/// What <see cref="Http1Connection"/> needs of a response head: the status, and how the body is framed
/// (Content-Length, or -1 when absent; chunked; whether the server closes the connection after it).
/// </summary>
internal readonly record struct ResponseHead(int Status, long ContentLength, bool Chunked, bool Close)
{
    /// <summary>Parses a head: the status line and header lines, each ending in CRLF, then the empty line.</summary>
    public static ResponseHead Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or the line's end.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' ' ||
            !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var used) || used != 3 || status < 100 ||
            (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            throw new InvalidDataException($"bad status line '{Encoding.ASCII.GetString(statusLine[..Math.Min(statusLine.Length, 40)])}'");
        }

        // HTTP/1.0 closes after the response unless it says keep-alive; this client sends 1.1, so treat 1.0 as closing.
        var close = statusLine[7] == (byte)'0';
        long contentLength = -1;
        var chunked = false;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue; // the empty line that ends the head
            }

            var name = line[..colon].Trim((byte)' ');
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var consumed) || consumed != value.Length || length < 0)
                {
                    throw new InvalidDataException("bad Content-Length");
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked |= Contains(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close |= Contains(value, "close"u8);
            }
        }

        return new ResponseHead(status, contentLength, chunked, close);
    }

    private static bool Contains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        for (var i = 0; i + token.Length <= value.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(value.Slice(i, token.Length), token))
            {
                return true;
            }
        }

        return false;
    }
}
