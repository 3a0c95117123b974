using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadTests.Engine;

namespace LoadTests.Http;

/// <summary>
/// The scenarios' GET over plain HTTP/1.1 keep-alive sockets to one origin, at most <c>connections</c> at a time
/// (more requests wait for one, as HttpClient's MaxConnectionsPerServer makes them). It exists because the generator
/// shares the machine's two cores with the system under test: HttpClient's request and header objects cost the
/// generator several times the CPU a request written as bytes does, and what the generator takes, the proxies lose.
/// </summary>
internal sealed class Http1LoadClient : ILoadClient
{
    private readonly Uri _origin;
    private readonly IPEndPoint _endPoint;
    private readonly SemaphoreSlim _slots;
    private readonly Stack<Http1Connection> _idle = new();
    private readonly Lock _idleLock = new();
    private PreparedHead? _last;

    public Http1LoadClient(Uri origin, int connections)
    {
        if (origin.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"{origin}: the lean client speaks plain http only", nameof(origin));
        }

        _origin = origin;
        _endPoint = new IPEndPoint(Resolve(origin), origin.Port);
        _slots = new SemaphoreSlim(Math.Max(1, connections));
    }

    public async ValueTask<Response> GetAsync(Uri uri, string? authorization, string? dpopProof, CancellationToken cancellationToken)
    {
        var head = HeadFor(uri);
        var length = head.Length + HeaderLength("Authorization", authorization) + HeaderLength("DPoP", dpopProof) + 2;
        var request = ArrayPool<byte>.Shared.Rent(length);
        Http1Connection? connection = null;
        var holdsSlot = false;
        try
        {
            head.CopyTo(request, 0);
            var at = head.Length;
            at = WriteHeader(request, at, "Authorization", authorization);
            at = WriteHeader(request, at, "DPoP", dpopProof);
            request[at++] = (byte)'\r';
            request[at++] = (byte)'\n';

            await _slots.WaitAsync(cancellationToken);
            holdsSlot = true;
            lock (_idleLock)
            {
                _idle.TryPop(out connection);
            }

            connection ??= await Http1Connection.ConnectAsync(_endPoint, cancellationToken);
            var response = await connection.SendAsync(request.AsMemory(0, at), cancellationToken);
            if (connection.CanReuse)
            {
                lock (_idleLock)
                {
                    _idle.Push(connection);
                }

                connection = null;
            }

            return response;
        }
        finally
        {
            // A connection that failed or ended its response oddly is not reused.
            connection?.Dispose();
            if (holdsSlot)
            {
                _slots.Release();
            }

            ArrayPool<byte>.Shared.Return(request);
        }
    }

    public void Dispose()
    {
        lock (_idleLock)
        {
            while (_idle.TryPop(out var connection))
            {
                connection.Dispose();
            }
        }

        _slots.Dispose();
    }

    // Resolved once, IPv4 first; a name that does not resolve stops the command with its own message, not a stack trace.
    private static IPAddress Resolve(Uri origin)
    {
        if (origin.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return IPAddress.Parse(origin.DnsSafeHost);
        }

        try
        {
            return Dns.GetHostAddresses(origin.DnsSafeHost).OrderBy(a => a.AddressFamily != AddressFamily.InterNetwork).FirstOrDefault()
                   ?? throw new InvalidOperationException($"{origin.Host}: no address");
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"{origin.Host}: cannot resolve ({ex.Message})", ex);
        }
    }

    private static int HeaderLength(string name, string? value) => value is null ? 0 : name.Length + 2 + value.Length + 2;

    private static int WriteHeader(byte[] request, int at, string name, string? value)
    {
        if (value is null)
        {
            return at;
        }

        at += Encoding.ASCII.GetBytes(name, request.AsSpan(at));
        request[at++] = (byte)':';
        request[at++] = (byte)' ';
        at += Encoding.ASCII.GetBytes(value, request.AsSpan(at));
        request[at++] = (byte)'\r';
        request[at++] = (byte)'\n';
        return at;
    }

    // The request line and Host header of a URI, encoded once: scenarios send the same Uri instance every time.
    private byte[] HeadFor(Uri uri)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Uri, uri))
        {
            return last.Bytes;
        }

        if (Uri.Compare(uri, _origin, UriComponents.SchemeAndServer, UriFormat.SafeUnescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new ArgumentException($"{uri} is not on this client's origin {_origin}", nameof(uri));
        }

        var bytes = Encoding.ASCII.GetBytes($"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\n");
        Volatile.Write(ref _last, new PreparedHead(uri, bytes));
        return bytes;
    }

    private sealed record PreparedHead(Uri Uri, byte[] Bytes);
}
