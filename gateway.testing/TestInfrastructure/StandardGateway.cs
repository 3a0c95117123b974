namespace Gateway.Testing;

/// <summary>
/// A class fixture for the common case: ES256, RS256 and PS256 keys served by a <see cref="JwksServer"/>, a
/// <see cref="RecordingBackend"/>, and a gateway configured by <see cref="GatewayConfig.Standard"/>. Subclass and
/// override <see cref="Configure"/> to tweak the config.
/// </summary>
public class StandardGateway : IAsyncLifetime
{
    public TestKey Es256 { get; } = TestKey.Es256();

    public TestKey Rs256 { get; } = TestKey.Rs256();

    public TestKey Ps256 { get; } = TestKey.Ps256();

    public JwksServer Jwks { get; } = new();

    public RecordingBackend Backend { get; } = new();

    public GatewayHost Gateway => _gateway ?? throw new InvalidOperationException("The gateway is not started");

    private GatewayHost? _gateway;

    public virtual async Task InitializeAsync()
    {
        Jwks.SetKeys(Es256, Rs256, Ps256);
        await Task.WhenAll(Jwks.InitializeAsync(), Backend.InitializeAsync());
        var config = GatewayConfig.Standard(Jwks.Url, Backend.Url);
        Configure(config);
        _gateway = await GatewayHost.StartAsync(config, HostOptions());
    }

    /// <summary>Tweaks the standard config before the gateway starts.</summary>
    protected virtual void Configure(GatewayConfig config)
    {
    }

    protected virtual GatewayHostOptions HostOptions() => new();

    /// <summary>A token signed by the ES256 key, valid for the standard issuer and audience.</summary>
    public string Token(string sub = "alice", string? sid = null) => TokenFactory.Mint(Es256, sub: sub, sid: sid);

    public virtual async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await Backend.DisposeAsync();
        await Jwks.DisposeAsync();
        Es256.Dispose();
        Rs256.Dispose();
        Ps256.Dispose();
    }
}
