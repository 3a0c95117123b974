using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// A gateway on a real redis-server trusting three issuers with their own keys: <see cref="IssuerA"/> and
/// <see cref="IssuerB"/> (no version claim: tokens judged by iat) and <see cref="Versioned"/> (<c>VersionClaim: ver</c>).
/// </summary>
public sealed class MultiIssuerGateway : IAsyncLifetime
{
    public const string ApiKey = "multi-issuer-admin-key-0123456789";
    public const string IssuerA = "https://idp-a.test";
    public const string IssuerB = "https://idp-b.test";
    public const string Versioned = "https://versioned.test";

    public TestKey KeyA { get; } = TestKey.Es256("a-key");

    public TestKey KeyB { get; } = TestKey.Es256("b-key");

    public TestKey KeyV { get; } = TestKey.Es256("v-key");

    public RecordingBackend Backend { get; } = new();

    public RedisServer Redis { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        await Backend.InitializeAsync();
        var config = new GatewayConfig()
            .AddIssuer(IssuerA, [TokenFactory.Audience], ["ES256"], jwks: JwksDocument.Of(KeyA))
            .AddIssuer(IssuerB, [TokenFactory.Audience], ["ES256"], jwks: JwksDocument.Of(KeyB))
            .AddIssuer(Versioned, [TokenFactory.Audience], ["ES256"], jwks: JwksDocument.Of(KeyV))
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, Backend.Url)
            .WithRedis(Redis.ConnectionString)
            .WithAdminApiKeys(ApiKey)
            .Set("Gateway:Redis:DataLossCutoff", false);
        config.Issuer(2)["VersionClaim"] = "ver";
        Gateway = await GatewayHost.StartAsync(config);
    }

    public string Token(string issuer, string sub, TimeSpan? iat = null, long? ver = null, IReadOnlyDictionary<string, object?>? claims = null)
    {
        var key = issuer switch { IssuerA => KeyA, IssuerB => KeyB, _ => KeyV };
        return TokenFactory.Mint(key, issuer: issuer, sub: sub, iat: iat, ver: ver, claims: claims);
    }

    public async Task<HttpResponseMessage> AdminPostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", ApiKey);
        return await Gateway.AdminClient.SendAsync(request);
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
        KeyA.Dispose();
        KeyB.Dispose();
        KeyV.Dispose();
    }
}
