using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Gateway.Testing;

/// <summary>
/// A JWKS endpoint over plain HTTP on loopback, serving <c>/jwks.json</c> from a key list tests can swap at any time
/// (<see cref="SetKeys(TestKey[])"/>), counting fetches, and answering 500 while <see cref="Failing"/> is set.
/// </summary>
public sealed class JwksServer : IAsyncLifetime, IAsyncDisposable
{
    private volatile string _document = JwksDocument.Of(Array.Empty<TestKey>());
    private int _fetches;
    private LoopbackServer? _server;

    /// <summary>The JWKS URI to configure as an issuer's <c>JwksUri</c>.</summary>
    public string Url => new Uri((_server ?? throw new InvalidOperationException("The JWKS server is not started")).BaseAddress, "jwks.json").ToString();

    /// <summary>How many times <c>/jwks.json</c> was requested (failed answers included).</summary>
    public int FetchCount => Volatile.Read(ref _fetches);

    /// <summary>While true, every fetch gets a 500.</summary>
    public bool Failing { get; set; }

    public static async Task<JwksServer> StartAsync(params TestKey[] keys)
    {
        var server = new JwksServer();
        server.SetKeys(keys);
        await server.InitializeAsync();
        return server;
    }

    public void SetKeys(params TestKey[] keys) => _document = JwksDocument.Of(keys);

    public void SetKeys(IEnumerable<JsonObject> jwks) => _document = JwksDocument.Of(jwks);

    /// <summary>Serves this exact text, valid JWKS or not.</summary>
    public void SetDocument(string json) => _document = json;

    public void ResetFetchCount() => Interlocked.Exchange(ref _fetches, 0);

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
        if (!string.Equals(context.Request.Path.Value, "/jwks.json", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Interlocked.Increment(ref _fetches);
        if (Failing)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(_document);
    }
}
