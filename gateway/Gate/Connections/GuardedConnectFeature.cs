using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Gate.Connections;

/// <summary>
/// Stands in for the server's HTTP/2 extended CONNECT feature (RFC 8441 WebSockets) on a guarded request, as
/// <see cref="GuardedUpgradeFeature"/> does for HTTP/1.1.
/// </summary>
internal sealed class GuardedConnectFeature(IHttpExtendedConnectFeature inner, GuardedConnection connection) : IHttpExtendedConnectFeature
{
    public bool IsExtendedConnect => inner.IsExtendedConnect;

    public string? Protocol => inner.Protocol;

    public async ValueTask<Stream> AcceptAsync() => connection.Attach(await inner.AcceptAsync());
}
