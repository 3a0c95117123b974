using LoadTests.Engine;

namespace LoadTests.Http;

/// <summary>The scenarios' GET through <see cref="HttpClient"/>: for targets <see cref="Http1LoadClient"/> does not speak (https).</summary>
internal sealed class HttpClientLoadClient(int connections) : ILoadClient
{
    private readonly HttpClient _client = LoadClient.Create(connections);

    public ValueTask<Response> GetAsync(Uri uri, string? authorization, string? dpopProof, CancellationToken cancellationToken) =>
        LoadClient.GetAsync(_client, uri, authorization, dpopProof, cancellationToken);

    public void Dispose() => _client.Dispose();
}
