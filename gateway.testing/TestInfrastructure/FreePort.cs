using System.Net;
using System.Net.Sockets;

namespace Gateway.Testing;

/// <summary>A loopback TCP port nobody listens on right now (the OS picks it; another process may still take it).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
