using System.Net.WebSockets;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Connections;

/// <summary>
/// A WebSocket upgrade is forwarded like any request: client-sent identity headers, in any spelling a backend folds to
/// them, are stripped on protected and anonymous routes, and a protected route's upgrade carries the token's.
/// </summary>
public sealed class WebSocketIdentityHeaderTests(StreamingRig rig) : IClassFixture<StreamingRig>, IAsyncLifetime
{
    private GatewayHost? _gateway;

    private GatewayHost Gateway => _gateway!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(rig.CreateConfig(redis: null));

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Upgrade_ProtectedRouteWithForgedHeaders_BackendSeesOnlyTheTokensIdentity()
    {
        using var socket = await ConnectAsync("/ws/whoami", rig.Token("alice", sid: "s1"));

        Assert.Equal("X-Auth-Subject=alice;X-Auth-Session=s1", await StreamingRig.ReceiveTextAsync(socket));
        Assert.Equal("still open", await StreamingRig.EchoAsync(socket, "still open"));
    }

    [Fact]
    public async Task Upgrade_AnonymousRouteWithForgedHeaders_BackendSeesNone()
    {
        using var socket = await ConnectAsync("/public/whoami", token: null);

        Assert.Equal("", await StreamingRig.ReceiveTextAsync(socket));
    }

    private async Task<ClientWebSocket> ConnectAsync(string path, string? token)
    {
        var socket = new ClientWebSocket();
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        socket.Options.SetRequestHeader("X-Auth-Subject", "mallory");
        socket.Options.SetRequestHeader("x_auth_session", "forged");
        socket.Options.SetRequestHeader("X_AUTH_SUBJECT", "admin");
        var uri = new UriBuilder(new Uri(Gateway.PublicUrl, path)) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }
}
