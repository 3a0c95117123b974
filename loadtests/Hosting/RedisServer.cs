using System.Net.Sockets;
using System.Text;

namespace LoadTests.Hosting;

/// <summary>A <c>redis-server</c> on a free loopback port with its own temporary folder, stopped by pid.</summary>
internal sealed class RedisServer
{
    private readonly string _directory;
    private readonly bool _persistent;

    private RedisServer(int port, string directory, bool persistent)
    {
        Port = port;
        _directory = directory;
        _persistent = persistent;
    }

    public int Port { get; }

    public ChildProcess? Process { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server. <paramref name="persistent"/>: append-only file fsynced on every write, so a restart keeps revocations.</summary>
    public static async Task<RedisServer> StartAsync(string workDirectory, bool persistent, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(workDirectory, "redis");
        Directory.CreateDirectory(directory);
        var server = new RedisServer(Loopback.FreePort(), directory, persistent);
        await server.StartProcessAsync(cancellationToken);
        return server;
    }

    public async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
            "--save", "", "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always", "--protected-mode", "yes", "--loglevel", "warning",
        ];
        Process = ChildProcesses.Start("redis-server", "redis-server", arguments, workingDirectory: _directory);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await PingAsync(cancellationToken))
        {
            if (Process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}:{Environment.NewLine}{Process.Tail}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public void Stop()
    {
        if (Process is { } process)
        {
            ChildProcesses.Stop(process);
            Process = null;
        }
    }

    /// <summary>Redis's <c>total_commands_processed</c> (INFO stats), or null when it does not answer.</summary>
    public async Task<double?> CommandsProcessedAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("INFO stats\r\n"u8.ToArray(), cancellationToken);
            var text = new StringBuilder();
            var buffer = new byte[8192];
            const string field = "total_commands_processed:";
            while (true)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
                var all = text.ToString();
                var at = all.IndexOf(field, StringComparison.Ordinal);
                var end = at < 0 ? -1 : all.IndexOf('\r', at);
                if (end > at)
                {
                    return double.Parse(all[(at + field.Length)..end], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (SocketException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
