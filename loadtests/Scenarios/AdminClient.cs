using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace LoadTests.Scenarios;

/// <summary>What a revocation names: one token, one session, or every token of the user.</summary>
internal enum RevocationKind
{
    Token,
    Session,
    User,
}

/// <summary>The gateway's admin API (DESIGN.md): <c>POST /admin/revoke/{token|session|user}</c> with <c>X-Api-Key</c>.</summary>
internal sealed class AdminClient
{
    private readonly HttpClient _client;
    private readonly Uri _baseUrl;
    private readonly string _apiKey;

    public AdminClient(HttpClient client, Uri baseUrl, string apiKey)
    {
        _client = client;
        _baseUrl = baseUrl;
        _apiKey = apiKey;
    }

    /// <summary>Revokes and returns the HTTP status (2xx: the revocation is published).</summary>
    public async Task<int> RevokeAsync(RevocationKind kind, string sub, string sid, string jti, long exp, CancellationToken cancellationToken)
    {
        var (path, body) = kind switch
        {
            RevocationKind.Token => ("/admin/revoke/token", new JsonObject { ["sub"] = sub, ["jti"] = jti, ["exp"] = exp }),
            RevocationKind.Session => ("/admin/revoke/session", new JsonObject { ["sub"] = sub, ["sid"] = sid, ["exp"] = exp }),
            _ => ("/admin/revoke/user", new JsonObject { ["sub"] = sub }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, path)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", _apiKey);
        using var response = await _client.SendAsync(request, cancellationToken);
        return (int)response.StatusCode;
    }
}
