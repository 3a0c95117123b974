using System.Net;
using System.Net.Sockets;

namespace LoadTests.Hosting;

internal static class Loopback
{
    /// <summary>A free TCP port on 127.0.0.1 (asked of the OS; free when asked).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static Uri Url(int port) => new($"http://127.0.0.1:{port}");

    /// <summary>Waits until an HTTP GET on <paramref name="url"/> gets any answer, or fails with the process's output.</summary>
    public static async Task WaitForHttpAsync(Uri url, ChildProcess? process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"{process.Name} exited during start-up:{Environment.NewLine}{process.Tail}");
            }

            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{process?.Name ?? url.ToString()} did not answer on {url} within {timeout.TotalSeconds:0} s:{Environment.NewLine}{process?.Tail}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
