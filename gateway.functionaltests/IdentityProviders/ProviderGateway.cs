using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// One gateway trusting every issuer of <see cref="ProviderShapes"/> at once (so every admin call must name
/// <c>iss</c>), each with its keys on its own JWKS server the way its provider publishes them, on a real
/// redis-server. Routes: <c>/api</c> (any live token) and, per shape, <c>/&lt;name&gt;/read</c> and
/// <c>/&lt;name&gt;/write</c> requiring the shape's granted and missing scope.
/// </summary>
public sealed class ProviderGateway : IAsyncLifetime
{
    public const string ApiKey = "provider-admin-key-0123456789";

    private readonly Dictionary<string, TestKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JwksServer> _jwks = new(StringComparer.Ordinal);

    public RecordingBackend Backend { get; } = new();

    public RedisServer Redis { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var group in ProviderShapes.All.Select(s => s.KeyGroup).Distinct())
        {
            _keys[group] = TestKey.Rs256(group + "-2026-11");
            var server = new JwksServer();
            server.SetKeys(PublishedKeys(group, _keys[group]));
            _jwks[group] = server;
        }

        Redis = await RedisServer.StartAsync();
        await Task.WhenAll(_jwks.Values.Select(j => j.InitializeAsync()).Append(Backend.InitializeAsync()));

        var config = new GatewayConfig()
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, Backend.Url)
            .WithRedis(Redis.ConnectionString)
            .WithAdminApiKeys(ApiKey)
            .Set("Gateway:Redis:DataLossCutoff", false);
        var issuers = new JsonArray();
        foreach (var shape in ProviderShapes.All.DistinctBy(s => s.Issuer))
        {
            var entry = shape.IssuerConfig();
            entry["JwksUri"] = _jwks[shape.KeyGroup].Url;
            issuers.Add(entry);
        }

        config.Set("Gateway:Tokens:Issuers", issuers);
        foreach (var shape in ProviderShapes.All)
        {
            config.AddRoute(shape.Name + "-read", $"/{shape.Name}/read/{{**rest}}", metadata: new Dictionary<string, string> { ["RequiredScopes"] = shape.GrantedScope });
            config.AddRoute(shape.Name + "-write", $"/{shape.Name}/write/{{**rest}}", metadata: new Dictionary<string, string> { ["RequiredScopes"] = shape.MissingScope });
        }

        Gateway = await GatewayHost.StartAsync(config);
    }

    /// <summary>The signing key of a shape's provider.</summary>
    public TestKey KeyOf(ProviderShape shape) => _keys[shape.KeyGroup];

    /// <summary>A token of <paramref name="shape"/>: its header and payload, signed by its provider's key.</summary>
    public string Mint(ProviderShape shape, ProviderTokenRequest request, Action<JsonObject>? edit = null)
    {
        var key = KeyOf(shape);
        var header = shape.Header();
        header["kid"] = key.Kid;
        if (header.ContainsKey("x5t"))
        {
            header["x5t"] = key.Kid;
        }

        var payload = shape.Payload(request);
        foreach (var name in payload.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            payload.Remove(name);
        }

        edit?.Invoke(payload);
        return TokenFactory.Sign(header.ToJsonString(), payload.ToJsonString(), key);
    }

    public Task<HttpResponseMessage> AdminPostAsync(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", ApiKey);
        return Gateway.AdminClient.SendAsync(request);
    }

    public async Task<JsonObject> AdminJsonAsync(string path, object body)
    {
        using var response = await AdminPostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Redis.DisposeAsync();
        await Backend.DisposeAsync();
        foreach (var server in _jwks.Values)
        {
            await server.DisposeAsync();
        }

        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }
    }

    // What each provider's JWKS holds besides the signing key: Keycloak also publishes its RSA-OAEP encryption key
    // (use "enc", skipped); Entra's keys carry no alg, but x5t and the tenant's issuer.
    private static IEnumerable<JsonObject> PublishedKeys(string group, TestKey key)
    {
        var jwk = key.PublicJwk(includeAlg: group != "entra");
        if (group == "entra")
        {
            jwk["x5t"] = key.Kid;
            jwk["issuer"] = ProviderShapes.EntraV2Issuer;
        }

        yield return jwk;
        if (group == "keycloak")
        {
            var encryption = TestKey.SharedRs256.PublicJwk();
            encryption["kid"] = "keycloak-enc";
            encryption["alg"] = "RSA-OAEP";
            encryption["use"] = "enc";
            yield return encryption;
        }
    }
}
