using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Connections;

/// <summary>
/// A real Kestrel backend for long-lived connections: a WebSocket request gets an echo server (every message is sent
/// back; a close is answered with a close), on a path ending in <c>/whoami</c> after one first message naming the
/// identity headers the upgrade came with; <c>Accept: text/event-stream</c> gets a server-sent-events stream (one
/// event every 100 ms until the client goes); a path ending in <c>/slow</c> a long response (one line, then nothing
/// until the client goes); anything else a 200.
/// </summary>
public sealed class StreamingBackend : IAsyncLifetime
{
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Url = address + "/";
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            // Read before the upgrade's response: Kestrel's request headers are gone once the socket is open.
            var whoami = context.Request.Path.Value?.EndsWith("/whoami", StringComparison.Ordinal) == true ? IdentitySeen(context.Request.Headers) : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            if (whoami is not null)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(whoami), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            }

            await EchoAsync(socket, context.RequestAborted);
            return;
        }

        if (context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
        {
            context.Response.ContentType = "text/event-stream";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            try
            {
                for (var i = 0; !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.WriteAsync($"data: tick {i}\n\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(100, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // The client (or the gateway) went away.
            }

            return;
        }

        if (context.Request.Path.Value?.EndsWith("/slow", StringComparison.Ordinal) == true)
        {
            await context.Response.WriteAsync("started\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client (or the gateway) went away.
            }

            return;
        }

        await context.Response.WriteAsync("ok");
    }

    // Every header whose name folds to X-Auth-* ('_' as '-', any case), in the order received: "name=value;...".
    private static string IdentitySeen(IHeaderDictionary headers) =>
        string.Join(';', headers.Where(h => h.Key.Replace('_', '-').StartsWith("X-Auth-", StringComparison.OrdinalIgnoreCase)).Select(h => $"{h.Key}={h.Value}"));

    private static async Task EchoAsync(WebSocket socket, CancellationToken cancel)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancel);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, result.CloseStatusDescription, cancel);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancel);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The connection was dropped.
        }
    }
}
