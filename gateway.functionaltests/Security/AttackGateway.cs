using Gateway.Testing.Attacks;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Security;

/// <summary>
/// One real gateway for the attack suites: the attack issuer (ES256, RS256, HS256; <c>ValidTypes = [at+jwt]</c>;
/// inline JWKS), a protected route <c>/api/</c> to a <see cref="RecordingBackend"/>, the in-process session store.
/// </summary>
public sealed class AttackGateway : IAsyncLifetime
{
    public RecordingBackend Backend { get; } = new();

    public GatewayHost Gateway => _gateway ?? throw new InvalidOperationException("The gateway is not started");

    private GatewayHost? _gateway;

    public async Task InitializeAsync()
    {
        await Backend.InitializeAsync();
        var config = new GatewayConfig()
            .AddIssuer(AttackKeys.Issuer, [AttackKeys.Audience], ["ES256", "RS256", "HS256"], jwks: AttackKeys.Jwks, validTypes: [AttackKeys.AccessTokenType])
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, Backend.Url);
        config.Set("Gateway:Tokens:MaxTokenSize", JsonValue.Create(AttackKeys.MaxTokenSize));
        config.Issuer()["VersionClaim"] = "ver";
        // Refusals are logged at Debug; 10,000 of them are noise here.
        _gateway = await GatewayHost.StartAsync(config, new GatewayHostOptions { GatewayLogLevel = Microsoft.Extensions.Logging.LogLevel.Information });
    }

    /// <summary>A GET on <c>/api/...</c> with exactly these Authorization header values (none for an empty array).</summary>
    public HttpRequestMessage Request(string path, IReadOnlyList<string> authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var value in authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", value);
        }

        return request;
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await Backend.DisposeAsync();
    }
}
