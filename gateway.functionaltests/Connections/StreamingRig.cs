using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Gateway.Gate.Connections;
using Gateway.FunctionalTests.Reliability;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Connections;

/// <summary>
/// A signing key, its JWKS server and a real WebSocket and event-stream backend (<see cref="StreamingBackend"/>), with
/// gateway routes <c>/ws</c> and <c>/events</c> (defaults: WebSockets and event streams are closed on revocation),
/// <c>/keep</c> (<c>CloseOnRevocation=false</c>), <c>/guarded</c> (<c>CloseOnRevocation=true</c>: every request), <c>/expiring</c> (<c>CloseOnExpiry=true</c>,
/// <c>ExpiryGrace=00:00:00</c>). A token revocation closes after <see cref="TokenGrace"/>. <see cref="ConnectionRig"/>
/// adds two gateways on one Redis.
/// </summary>
public class StreamingRig : IAsyncLifetime
{
    /// <summary>The bound asserted from the admin call to the client seeing its connection end.</summary>
    public static readonly TimeSpan LagBound = TimeSpan.FromSeconds(2);

    /// <summary><c>Gateway:Connections:TokenRevocationGrace</c> in these tests.</summary>
    public static readonly TimeSpan TokenGrace = TimeSpan.FromSeconds(1);

    public TestKey Key { get; } = TestKey.Es256();

    public JwksServer Jwks { get; } = new();

    public StreamingBackend Backend { get; } = new();

    public virtual async Task InitializeAsync()
    {
        Jwks.SetKeys(Key);
        await Task.WhenAll(Jwks.InitializeAsync(), Backend.InitializeAsync());
    }

    public virtual async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Jwks.DisposeAsync();
        Key.Dispose();
    }

    /// <summary>The routes above; with <paramref name="redis"/> null, the embedded store.</summary>
    public GatewayConfig CreateConfig(string? redis)
    {
        var config = GatewayConfig.Standard(Jwks.Url, Backend.Url)
            .AddRoute("ws", "/ws/{**rest}")
            .AddRoute("events", "/events/{**rest}")
            .AddRoute("keep", "/keep/{**rest}", metadata: new Dictionary<string, string> { ["CloseOnRevocation"] = "false" })
            .AddRoute("guarded", "/guarded/{**rest}", metadata: new Dictionary<string, string> { ["CloseOnRevocation"] = "true" })
            .AddRoute("expiring", "/expiring/{**rest}", metadata: new Dictionary<string, string> { ["CloseOnExpiry"] = "true", ["ExpiryGrace"] = "00:00:00" })
            .WithAdminApiKeys(ReliabilityRig.ApiKey)
            .Set("Gateway:Connections:TokenRevocationGrace", "00:00:01");
        return redis is null ? config : config.WithRedis(redis);
    }

    public string Token(string sub, string? sid = null, string? jti = null, TimeSpan? iat = null, TimeSpan? exp = null) =>
        TokenFactory.Mint(Key, sub: sub, sid: sid, jti: jti, iat: iat, exp: exp);

    /// <summary>A WebSocket through <paramref name="gateway"/>, opened with <paramref name="token"/>, proven open by one echo.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(GatewayHost gateway, string path, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        var uri = new UriBuilder(new Uri(gateway.PublicUrl, path)) { Scheme = "ws" }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, timeout.Token);
        Assert.Equal("hello", await EchoAsync(socket, "hello"));
        return socket;
    }

    /// <summary>Sends a text message and returns the echo.</summary>
    public static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        return await ReceiveTextAsync(socket);
    }

    /// <summary>The next text message (within 5 s).</summary>
    public static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    /// <summary>
    /// Reads until the gateway closes the socket (at most <paramref name="timeout"/>); returns the close status, its
    /// description and when it arrived, measured on <paramref name="clock"/>.
    /// </summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Reason, TimeSpan At)> WaitForCloseAsync(ClientWebSocket socket, Stopwatch clock, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                var at = clock.Elapsed;
                // Answer the close as a well-behaved client does; the gateway then drops the connection.
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException)
                {
                    // Already gone.
                }

                return (result.CloseStatus, result.CloseStatusDescription, at);
            }
        }
    }

    /// <summary>Guarded connections open on <paramref name="gateway"/>.</summary>
    public static int Guarded(GatewayHost gateway) => gateway.Services.GetRequiredService<GuardedConnections>().Count;

    public static string NewUser() => ReliabilityRig.NewUser();
}
