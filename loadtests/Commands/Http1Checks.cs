using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadTests.Http;

namespace LoadTests.Commands;

/// <summary>
/// <c>selftest</c>'s checks of <see cref="Http1LoadClient"/> against a loopback server that answers each request with
/// a canned response: Content-Length, chunks with a trailer (sent in pieces), 204, and a body ended by the close.
/// </summary>
internal static class Http1Checks
{
    private static readonly string[] Answers =
    [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    ];

    public static async Task<List<(bool Ok, string What)>> RunAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var origin = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var requests = new List<string>();
        var connections = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var server = ServeAsync(listener, requests, () => connections++, timeout.Token);

        using var client = new Http1LoadClient(origin, 1);
        var uri = new Uri(origin, "/api/items?x=1");
        var results = new List<Engine.Response>();
        for (var i = 0; i < Answers.Length; i++)
        {
            results.Add(await client.GetAsync(uri, i == 0 ? "Bearer abc" : null, i == 0 ? "proof" : null, timeout.Token));
        }

        await server;
        return
        [
            (requests.Count == Answers.Length && requests[0] == $"GET /api/items?x=1 HTTP/1.1\r\nHost: {origin.Authority}\r\nAuthorization: Bearer abc\r\nDPoP: proof\r\n\r\n"
                && requests[1] == $"GET /api/items?x=1 HTTP/1.1\r\nHost: {origin.Authority}\r\n\r\n",
                $"lean client: the request line, Host, Authorization and DPoP, nothing else (got {string.Join(" | ", requests).ReplaceLineEndings("⏎")})"),
            (results.Select(r => (r.IsOk, r.StatusCode, r.Bytes)).SequenceEqual([(true, 200, 5L), (false, 401, 19L), (true, 204, 0L), (true, 200, 13L), (true, 200, 2L)]),
                $"lean client: Content-Length, chunks with a trailer in pieces, an interim 100 then 204, a body to the close (got {string.Join(", ", results)})"),
            (connections == 2, $"lean client: one connection until the server closes it, then a new one (got {connections})"),
        ];
    }

    private static async Task ServeAsync(TcpListener listener, List<string> requests, Action accepted, CancellationToken cancellationToken)
    {
        var answered = 0;
        while (answered < Answers.Length)
        {
            using var socket = await listener.AcceptSocketAsync(cancellationToken);
            accepted();
            var buffer = new byte[4096];
            var pending = new StringBuilder();
            while (answered < Answers.Length)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var text = pending.ToString();
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }

                requests.Add(text[..(end + 4)]);
                pending.Remove(0, end + 4);
                var answer = Encoding.ASCII.GetBytes(Answers[answered++]);
                // Two writes with a pause between: the client must read a response that arrives in pieces.
                var half = answer.Length / 2;
                await socket.SendAsync(answer.AsMemory(0, half), SocketFlags.None, cancellationToken);
                await Task.Delay(20, cancellationToken);
                await socket.SendAsync(answer.AsMemory(half), SocketFlags.None, cancellationToken);
                if (Answers[answered - 1].Contains("Connection: close", StringComparison.Ordinal))
                {
                    socket.Shutdown(SocketShutdown.Both);
                    break;
                }
            }
        }
    }
}
