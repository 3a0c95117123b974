using System.Buffers;
using System.Net;
using LoadTests.Engine;

namespace LoadTests.Http;

/// <summary>
/// The generator's HTTP client: one pooled <see cref="SocketsHttpHandler"/> per target with as many connections as
/// copies, no proxy, no cookies, no decompression, no trace headers, so the generator stays cheap.
/// </summary>
internal static class LoadClient
{
    public static HttpClient Create(int connections, TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
        })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };

    /// <summary>
    /// The throughput scenarios' client for a target origin: the lean <see cref="Http1LoadClient"/> for plain http,
    /// HttpClient for anything else.
    /// </summary>
    public static ILoadClient ForScenarios(Uri origin, int connections) =>
        origin.Scheme == Uri.UriSchemeHttp ? new Http1LoadClient(origin, connections) : new HttpClientLoadClient(connections);

    /// <summary>GET with an optional Authorization value; ok when <paramref name="isOk"/> says so (default: 2xx).</summary>
    public static ValueTask<Response> GetAsync(HttpClient client, Uri uri, string? authorization, CancellationToken cancellationToken,
        Func<HttpResponseMessage, bool>? isOk = null) => GetAsync(client, uri, authorization, null, cancellationToken, isOk);

    /// <summary>GET with an optional Authorization value and an optional DPoP proof header.</summary>
    public static async ValueTask<Response> GetAsync(HttpClient client, Uri uri, string? authorization, string? dpopProof, CancellationToken cancellationToken,
        Func<HttpResponseMessage, bool>? isOk = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (dpopProof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", dpopProof);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var bytes = await DrainAsync(response, cancellationToken);
        var ok = isOk?.Invoke(response) ?? response.IsSuccessStatusCode;
        return new Response(ok, (int)response.StatusCode, bytes);
    }

    /// <summary>The <c>error_description</c> of a Bearer challenge, or null.</summary>
    public static string? ChallengeReason(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            var parameter = challenge.Parameter;
            var at = parameter?.IndexOf("error_description=\"", StringComparison.Ordinal) ?? -1;
            if (at >= 0)
            {
                var start = at + "error_description=\"".Length;
                var end = parameter!.IndexOf('"', start);
                return end > start ? parameter[start..end] : null;
            }
        }

        return null;
    }

    public static async ValueTask<long> DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
