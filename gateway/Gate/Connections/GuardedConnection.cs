using System.Diagnostics;
using Gateway.Gate.Refusals;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;

namespace Gateway.Gate.Connections;

/// <summary>
/// One open connection in <see cref="GuardedConnections"/>: the verified token it was opened with, its route's policy
/// and the means to end it. Holds no buffers; the request's <see cref="HttpContext"/> is used only while the request
/// runs (Kestrel reuses it afterwards), which <see cref="Dispose"/> marks.
/// </summary>
internal sealed class GuardedConnection : IDisposable
{
    private readonly Lock _lock = new();
    private readonly GuardedConnections _owner;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpContext? _http;
    private GuardedStream? _stream;
    private RefusalReason? _closing;
    private RefusalReason? _pendingReason;
    private DateTimeOffset _pendingAt;
    private long _judgedAt;

    public GuardedConnection(GuardedConnections owner, HttpContext http, RoutePolicy policy, VerifiedToken token, ConnectionKind kind, long judgedAt)
    {
        _judgedAt = judgedAt;
        _owner = owner;
        _http = http;
        Policy = policy;
        Token = token;
        Kind = kind;
    }

    public RoutePolicy Policy { get; }

    public VerifiedToken Token { get; }

    public ConnectionKind Kind { get; }

    /// <summary>Revocations close it (the route's <c>CloseOnRevocation</c>, true unless set to false).</summary>
    public bool ClosesOnRevocation => Policy.Connections.CloseOnRevocation ?? true;

    /// <summary>The request still runs and no close has begun.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_lock)
            {
                return _http is not null && _closing is null;
            }
        }
    }

    /// <summary>The request's context while it runs, else null.</summary>
    public HttpContext? Http
    {
        get
        {
            lock (_lock)
            {
                return _http;
            }
        }
    }

    /// <summary>When it was last judged (a <see cref="TimeProvider"/> timestamp): at the gate, then by every re-judge.</summary>
    public long JudgedAt
    {
        get => Volatile.Read(ref _judgedAt);
        set => Volatile.Write(ref _judgedAt, value);
    }

    /// <summary>The upgraded client stream, wrapped so that the gateway can close it; called by the upgrade features.</summary>
    public Stream Attach(Stream stream)
    {
        var guarded = new GuardedStream(stream);
        lock (_lock)
        {
            _stream = guarded;
        }

        return guarded;
    }

    /// <summary>Closes it at <paramref name="at"/> (the token-revocation grace), unless an earlier close is already due.</summary>
    public void CloseAt(RefusalReason reason, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (_pendingReason is null || at < _pendingAt)
            {
                _pendingReason = reason;
                _pendingAt = at;
            }
        }
    }

    /// <summary>Why it must be closed now (a grace that ran out, an expired token), or null.</summary>
    public RefusalReason? DueAt(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_http is null || _closing is not null)
            {
                return null;
            }

            if (_pendingReason is not null && now >= _pendingAt)
            {
                return _pendingReason;
            }
        }

        var connections = Policy.Connections;
        return connections.CloseOnExpiry && !Token.IsLiveAt(now.ToUnixTimeSeconds(), (long)connections.ExpiryGrace.TotalSeconds)
            ? Reasons.Expired
            : null;
    }

    /// <summary>Claims the close for <paramref name="reason"/>: false when it already ended or another close began.</summary>
    public bool TryBeginClose(RefusalReason reason)
    {
        lock (_lock)
        {
            if (_http is null || _closing is not null)
            {
                return false;
            }

            _closing = reason;
            return true;
        }
    }

    /// <summary>
    /// Ends the connection after <see cref="TryBeginClose"/>: a WebSocket gets a close frame (code 4001, the reason code
    /// as its reason) and ends when the client and the backend have closed their sides, or is aborted after
    /// <paramref name="timeout"/>; any other request is aborted at once.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        RefusalReason reason;
        GuardedStream? stream;
        lock (_lock)
        {
            reason = _closing ?? throw new InvalidOperationException("TryBeginClose first");
            stream = _stream;
        }

        if (Kind == ConnectionKind.WebSocket && stream is not null)
        {
            // The close handshake; then the proxied connection normally ends by itself (the client's close reaches the
            // backend, which closes its side). Only what is still running after the timeout is aborted.
            var deadline = Stopwatch.StartNew();
            await stream.CloseAsync(CloseFrame.Encode(CloseFrame.RevokedCode, reason.Code), timeout);
            var left = timeout - deadline.Elapsed;
            if (left > TimeSpan.Zero)
            {
                try
                {
                    await _ended.Task.WaitAsync(left);
                }
                catch (TimeoutException)
                {
                    // Still running: aborted below.
                }
            }
        }

        lock (_lock)
        {
            // Aborted only while the request runs: after it the context may already serve another request.
            _http?.Abort();
        }
    }

    /// <summary>The request ended: forget the context and leave the registry.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_http is null)
            {
                return;
            }

            _http = null;
        }

        _ended.TrySetResult();
        _owner.Remove(this);
    }
}
