using Gateway.Sessions.Redis;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.TestInfrastructure;

/// <summary>
/// A gateway on a real redis-server of its own, with an admin key and routes for every session rule:
/// <c>/api</c> (plain), <c>/single</c> (SingleSession), <c>/limited</c> (MaxUses=3), <c>/stepup</c> (MaxTokenAge 5 min),
/// <c>/public</c> (anonymous). Rate-spike detection is on (threshold <see cref="SpikeThreshold"/> per minute).
/// </summary>
public class SessionGateway : IAsyncLifetime
{
    public const string ApiKey = "test-admin-key-0123456789";
    public const int SpikeThreshold = 20;

    public TestKey Key { get; } = TestKey.Es256();

    public JwksServer Jwks { get; } = new();

    public RecordingBackend Backend { get; } = new();

    public RedisServer Redis { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    /// <summary>Key prefix of this fixture's Redis keys.</summary>
    public string Prefix { get; } = "gw:";

    public virtual async Task InitializeAsync()
    {
        Jwks.SetKeys(Key);
        Redis = await RedisServer.StartAsync();
        await Task.WhenAll(Jwks.InitializeAsync(), Backend.InitializeAsync());
        Gateway = await GatewayHost.StartAsync(CreateConfig());
    }

    public GatewayConfig CreateConfig(string? redis = null)
    {
        var config = GatewayConfig.Standard(Jwks.Url, Backend.Url)
            .AddRoute("single", "/single/{**rest}", metadata: new Dictionary<string, string> { ["SingleSession"] = "true" })
            .AddRoute("limited", "/limited/{**rest}", metadata: new Dictionary<string, string> { ["MaxUses"] = "3" })
            .AddRoute("stepup", "/stepup/{**rest}", metadata: new Dictionary<string, string> { ["MaxTokenAge"] = "00:05:00" })
            .WithRedis(redis ?? Redis.ConnectionString)
            .WithAdminApiKeys(ApiKey)
            // A fresh redis-server has no epoch marker; the data-loss cut-off has its own tests (Sessions/StoreEpochTests).
            .Set("Gateway:Redis:DataLossCutoff", false)
            .Set("Gateway:Sessions:RateSpike:Enabled", true)
            .Set("Gateway:Sessions:RateSpike:Threshold", SpikeThreshold)
            .Set("Gateway:Sessions:RateSpike:Window", "00:01:00");

        // These tests' tokens carry the user's version in "ver", and their logout tokens are addressed to a client.
        config.Issuer()["VersionClaim"] = "ver";
        config.Issuer()["LogoutAudiences"] = new System.Text.Json.Nodes.JsonArray(TokenFactory.LogoutClient);
        Configure(config);
        return config;
    }

    /// <summary>Tweaks the config before the gateway starts (subclasses add routes).</summary>
    protected virtual void Configure(GatewayConfig config)
    {
    }

    public string Token(string sub, string? sid = null, string? jti = null, long? ver = null, TimeSpan? iat = null, IReadOnlyDictionary<string, object?>? claims = null) =>
        TokenFactory.Mint(Key, sub: sub, sid: sid, jti: jti, ver: ver, iat: iat, claims: claims);

    public Task<HttpResponseMessage> AdminPostAsync(string path, object body, string? apiKey = ApiKey) => AdminPostAsync(Gateway, path, body, apiKey);

    public static async Task<HttpResponseMessage> AdminPostAsync(GatewayHost gateway, string path, object body, string? apiKey = ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await gateway.AdminClient.SendAsync(request);
    }

    public async Task<JsonObject> AdminJsonAsync(string path, object body)
    {
        using var response = await AdminPostAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public virtual async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Redis.DisposeAsync();
        await Backend.DisposeAsync();
        await Jwks.DisposeAsync();
        Key.Dispose();
    }
}
