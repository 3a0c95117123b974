namespace Gateway.Gate.Connections;

/// <summary>
/// The client side of an upgraded WebSocket, as YARP copies it: reads are the client's frames, writes the backend's.
/// The gateway can put its own close frame on it (<see cref="CloseAsync"/>) without cutting into a frame being copied:
/// writes are serialised by one lock, and the close frame goes out only at a frame boundary of the copied bytes.
/// Nothing written after it reaches the client.
/// </summary>
internal sealed class GuardedStream : Stream
{
    private const int Open = 0;
    private const int Closing = 1;
    private const int Sent = 2;

    private readonly Stream _inner;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly WebSocketFrameTracker _toClient = new();
    private readonly WebSocketFrameTracker _fromClient = new();
    private readonly TaskCompletionSource _closeSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _closeFrame = [];
    private int _state;

    public GuardedStream(Stream inner)
    {
        _inner = inner;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Sends <paramref name="frame"/> (a close frame) at the next frame boundary, then waits for the client's close frame
    /// or end of stream, at most <paramref name="timeout"/> in all.
    /// </summary>
    public async Task CloseAsync(byte[] frame, TimeSpan timeout)
    {
        if (Interlocked.CompareExchange(ref _state, Closing, Open) != Open)
        {
            return;
        }

        _closeFrame = frame;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _writeLock.WaitAsync(deadline.Token);
            try
            {
                // Mid-frame: the copier's next writes finish the frame and send the close frame after it.
                if (_toClient.AtBoundary)
                {
                    await SendCloseLockedAsync(deadline.Token);
                }
            }
            finally
            {
                _writeLock.Release();
            }

            await _closeSent.Task.WaitAsync(deadline.Token);
            await _clientDone.Task.WaitAsync(deadline.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Out of time or the connection is gone: the caller drops it either way.
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (ClientFinished)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Observe(buffer.Span[..read], buffer.Length);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (ClientFinished)
        {
            return 0;
        }

        var read = _inner.Read(buffer, offset, count);
        Observe(buffer.AsSpan(offset, read), count);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            switch (Volatile.Read(ref _state))
            {
                case Open:
                    _toClient.Advance(buffer.Span, stopAtBoundary: false);
                    await _inner.WriteAsync(buffer, cancellationToken);
                    break;
                case Closing:
                    // Finish the frame in flight, then the close frame; the rest is dropped.
                    var rest = _toClient.Advance(buffer.Span, stopAtBoundary: true);
                    if (rest > 0)
                    {
                        await _inner.WriteAsync(buffer[..rest], cancellationToken);
                    }

                    if (_toClient.AtBoundary)
                    {
                        await SendCloseLockedAsync(cancellationToken);
                    }

                    break;
                default:
                    // Nothing may follow a close frame (RFC 6455 §5.5.1).
                    break;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _inner.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _clientDone.TrySetResult();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _clientDone.TrySetResult();
        await _inner.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>
    /// We sent our close frame and the client's whole close frame came back: nothing may follow it (RFC 6455 §5.5.1),
    /// so reads end here. YARP then sees the client's side end normally, passes the close on to the backend, and the
    /// proxied connection ends when the backend closes its side, with nothing to report as a proxy error.
    /// </summary>
    private bool ClientFinished => Volatile.Read(ref _state) == Sent && _fromClient.SawClose && _fromClient.AtBoundary;

    private async Task SendCloseLockedAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _state, Sent);
        try
        {
            await _inner.WriteAsync(_closeFrame, cancellationToken);
            await _inner.FlushAsync(cancellationToken);
        }
        finally
        {
            _closeSent.TrySetResult();
        }
    }

    private void Observe(ReadOnlySpan<byte> read, int asked)
    {
        // YARP's copier makes zero-byte reads to wait for data without holding a buffer: only 0 of more is the end.
        if (read.Length == 0 && asked > 0)
        {
            _clientDone.TrySetResult();
            return;
        }

        _fromClient.Advance(read, stopAtBoundary: false);
        if (_fromClient.SawClose)
        {
            _clientDone.TrySetResult();
        }
    }
}
