using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using LoadTests.Engine;

namespace LoadTests.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection of <see cref="Http1LoadClient"/>: writes a request's bytes as they are and reads
/// the response just far enough to find its end (status line, framing headers, body by Content-Length, chunks, or
/// to the close), counting the body's bytes without keeping them.
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    /// <summary>The largest response head (or chunk-size line) read; a larger one fails the request.</summary>
    public const int BufferSize = 16 * 1024;

    private static readonly byte[] HeadTerminator = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineTerminator = "\r\n"u8.ToArray();

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;

    private Http1Connection(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Whether the last response ended cleanly on a connection the server keeps open.</summary>
    public bool CanReuse { get; private set; }

    public static async ValueTask<Http1Connection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new Http1Connection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request (its whole bytes) and reads its response; ok for a 2xx, as HttpClient's IsSuccessStatusCode.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Response> SendAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        CanReuse = false;
        while (!request.IsEmpty)
        {
            var sent = await _socket.SendAsync(request, SocketFlags.None, cancellationToken);
            request = request[sent..];
        }

        ResponseHead head;
        do
        {
            int headEnd;
            while ((headEnd = IndexAfter(HeadTerminator)) < 0)
            {
                await FillOrThrowAsync("a response head", cancellationToken);
            }

            head = ResponseHead.Parse(_buffer.AsSpan(_start, headEnd - _start));
            _start = headEnd;
        }
        while (head.Status is >= 100 and < 200); // an interim response (100 Continue): its final one follows.

        long bytes;
        var keepOpen = !head.Close;
        if (head.Status is 204 or 304)
        {
            bytes = 0;
        }
        else if (head.Chunked)
        {
            bytes = await ReadChunkedAsync(cancellationToken);
        }
        else if (head.ContentLength >= 0)
        {
            bytes = head.ContentLength;
            await SkipAsync(bytes, cancellationToken);
        }
        else
        {
            // Neither length nor chunks: the body ends when the server closes the connection.
            bytes = await ReadToCloseAsync(cancellationToken);
            keepOpen = false;
        }

        // Bytes past the response's end would be a server speaking out of turn: do not reuse that connection.
        CanReuse = keepOpen && _start == _end;
        return new Response(head.Status is >= 200 and < 300, head.Status, bytes);
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask<long> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var (at, length) = await ReadLineAsync(cancellationToken);
            var size = ParseChunkSize(_buffer.AsSpan(at, length));
            if (size == 0)
            {
                // The last chunk: trailer lines up to an empty one.
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                }

                return total;
            }

            await SkipAsync(size, cancellationToken);
            total += size;
            if ((await ReadLineAsync(cancellationToken)).Length != 0)
            {
                throw new InvalidDataException("chunk data not followed by CRLF");
            }
        }
    }

    private async ValueTask<long> ReadToCloseAsync(CancellationToken cancellationToken)
    {
        long total = _end - _start;
        _start = _end = 0;
        int read;
        while ((read = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    // The next CRLF-terminated line, as (offset, length) in _buffer without the CRLF; it is consumed.
    private async ValueTask<(int At, int Length)> ReadLineAsync(CancellationToken cancellationToken)
    {
        int after;
        while ((after = IndexAfter(LineTerminator)) < 0)
        {
            await FillOrThrowAsync("a chunk line", cancellationToken);
        }

        var line = (_start, after - 2 - _start);
        _start = after;
        return line;
    }

    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillOrThrowAsync("the response body", cancellationToken);
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    // Reads more bytes after the unread ones, moving them to the buffer's start first when it is full.
    private async ValueTask FillOrThrowAsync(string reading, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start == 0)
            {
                throw new InvalidDataException($"{reading} is longer than {BufferSize:N0} bytes");
            }

            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new IOException($"the server closed the connection while sending {reading}");
        }

        _end += read;
    }

    // The index just past the first occurrence of the terminator among the unread bytes, or -1.
    private int IndexAfter(byte[] terminator)
    {
        var at = _buffer.AsSpan(_start, _end - _start).IndexOf(terminator);
        return at < 0 ? -1 : _start + at + terminator.Length;
    }

    internal static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        // "1a3f;ext=value": the hexadecimal size, extensions ignored.
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim((byte)' ');
        return digits.Length is > 0 and <= 15 && Utf8Parser.TryParse(digits, out long size, out var consumed, 'x') && consumed == digits.Length
            ? size
            : throw new InvalidDataException($"bad chunk size line '{Encoding.ASCII.GetString(line[..Math.Min(line.Length, 40)])}'");
    }
}
