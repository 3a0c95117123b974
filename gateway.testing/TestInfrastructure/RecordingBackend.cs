using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Gateway.Testing;

/// <summary>One request as the backend received it. Header names are case-insensitive.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real Kestrel backend on loopback that records every request it receives and answers 200 with a small JSON echo
/// (<c>{"method","path","subject"}</c>). Use as a class or collection fixture, or start one with <see cref="StartAsync"/>.
/// </summary>
public sealed class RecordingBackend : IAsyncLifetime, IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private LoopbackServer? _server;

    /// <summary>The backend's base address, <c>http://127.0.0.1:port/</c>, for a YARP destination.</summary>
    public string Url => (_server ?? throw new InvalidOperationException("The backend is not started")).BaseAddress.ToString();

    /// <summary>What the backend has received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<RecordingBackend> StartAsync()
    {
        var backend = new RecordingBackend();
        await backend.InitializeAsync();
        return backend;
    }

    public void Clear() => _requests.Clear();

    /// <summary>Requests whose path (without query) starts with <paramref name="pathPrefix"/>: handy when tests share a backend.</summary>
    public IReadOnlyList<RecordedRequest> RequestsTo(string pathPrefix) =>
        [.. _requests.Where(r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal))];

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(HandleAsync);

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        var recorded = new RecordedRequest(request.Method, request.Path.ToUriComponent() + request.QueryString.ToUriComponent(), headers);
        _requests.Enqueue(recorded);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            method = recorded.Method,
            path = recorded.PathAndQuery,
            subject = recorded.Header("X-Auth-Subject"),
        }));
    }
}
