using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing;

/// <summary>How a <see cref="RedisServer"/> runs.</summary>
public sealed class RedisServerOptions
{
    /// <summary>Turn on the append-only file (<c>--appendonly yes --appendfsync always</c>) so data survives <see cref="RedisServer.RestartAsync"/>.</summary>
    public bool AppendOnly { get; set; }

    /// <summary>More <c>redis-server</c> arguments, e.g. <c>["--maxmemory", "10mb"]</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; set; } = [];

    /// <summary>Where a first start gets its port from (tests of this class); default <see cref="FreePort.Next"/>.</summary>
    internal Func<int> PickPort { get; set; } = FreePort.Next;
}

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port in its own temp folder (no RDB snapshots, no AOF unless
/// asked). Start it with <see cref="StartAsync"/> or as a fixture (see <see cref="RedisCollection"/>). Tests that kill or
/// restart Redis should start their own server rather than the shared one.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private readonly RedisServerOptions _options;
    private Process? _process;

    public RedisServer()
        : this(new RedisServerOptions())
    {
    }

    // First-start attempts on fresh ports before giving up.
    private const int PortAttempts = 5;

    private RedisServer(RedisServerOptions options)
    {
        _options = options;
        Directory = Path.Combine(Path.GetTempPath(), "gateway-tests-redis", Guid.NewGuid().ToString("N"));
    }

    public int Port { get; private set; }

    /// <summary>The server's working folder (AOF files live here).</summary>
    public string Directory { get; }

    /// <summary>A StackExchange.Redis configuration string for this server (for <c>Gateway:Redis:Configuration</c>).</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync(RedisServerOptions? options = null)
    {
        var server = new RedisServer(options ?? new RedisServerOptions());
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        // FreePort frees its port before redis-server binds it, and any process may take it in between (an outgoing
        // connection takes its local port from the same range), so a first start tries fresh ports. A restart keeps its port.
        for (var attempt = 1; ; attempt++)
        {
            Port = _options.PickPort();
            if (await TryLaunchAsync() is not { } refusal)
            {
                return;
            }

            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"redis-server found each of {PortAttempts} free ports taken; the last time: {refusal}");
            }
        }
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit();
                }
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Kills (if running) and starts again on the same port in the same folder.</summary>
    public async Task RestartAsync()
    {
        Kill();
        if (await TryLaunchAsync() is { } refusal)
        {
            throw new InvalidOperationException($"redis-server could not bind its port {Port} again: {refusal}");
        }
    }

    public async Task FlushAsync() => await ExecuteAsync("FLUSHALL");

    /// <summary>Sends one command and returns the first line of the reply (e.g. <c>+OK</c>, <c>:3</c>, <c>$5</c>).</summary>
    public async Task<string> ExecuteAsync(params string[] command)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        var line = await reader.ReadLineAsync(timeout.Token) ?? throw new IOException("Redis closed the connection");
        if (line.StartsWith('$') && line != "$-1")
        {
            return await reader.ReadLineAsync(timeout.Token) ?? string.Empty;
        }

        return line;
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Starts the process on <see cref="Port"/> and waits for PING; gives its output when the port was taken.</summary>
    private async Task<string?> TryLaunchAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (var argument in (string[])
                 [
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", Directory, "--save", "", "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
                     "--appendonly", _options.AppendOnly ? "yes" : "no",
                     .. _options.AppendOnly ? (string[])["--appendfsync", "always"] : [],
                     .. _options.ExtraArguments,
                 ])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "redis-server is not on PATH. Install it (apt-get install -y redis-server; ./test.sh does this) to run the Redis tests.", ex);
        }

        var output = ProcessOutput.Capture(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // A restart may find the port briefly held by the old process's sockets; wait for PING either way.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                // Without a timeout it also waits for the redirected streams to end: the output is complete.
                process.WaitForExit();
                var text = output.ToString();
                if (text.Contains("Address already in use", StringComparison.Ordinal))
                {
                    Kill();
                    return text;
                }

                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}: {text}");
            }

            try
            {
                if (await ExecuteAsync("PING") == "+PONG")
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
            }

            await Task.Delay(20);
        }

        Kill();
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within 10 s: {output}");
    }
}
