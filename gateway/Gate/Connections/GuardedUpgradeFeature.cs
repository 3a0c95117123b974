using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Gate.Connections;

/// <summary>
/// Stands in for the server's HTTP/1.1 upgrade feature on a guarded WebSocket request: YARP upgrades the client
/// connection through it, so the opaque stream it then copies is a <see cref="GuardedStream"/> the gateway can close.
/// </summary>
internal sealed class GuardedUpgradeFeature(IHttpUpgradeFeature inner, GuardedConnection connection) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => connection.Attach(await inner.UpgradeAsync());
}
