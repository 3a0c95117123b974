using System.Diagnostics;
using System.Globalization;

namespace Gateway.Testing;

/// <summary>
/// A real 3-master Redis Cluster on loopback: three <c>redis-server --cluster-enabled yes</c> processes in their own
/// temp folders, joined by <c>redis-cli --cluster create ... --cluster-replicas 0</c>, ready once every node reports
/// <c>cluster_state:ok</c>. Use as a class fixture.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime, IAsyncDisposable
{
    private readonly List<RedisServer> _nodes = [];

    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>A StackExchange.Redis configuration string naming every master (for <c>Gateway:Redis:Configuration</c>).</summary>
    public string ConnectionString =>
        string.Join(',', _nodes.Select(n => $"127.0.0.1:{n.Port}")) + ",abortConnect=false,connectTimeout=2000";

    public async Task InitializeAsync()
    {
        try
        {
            var started = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RedisServer.StartAsync(new RedisServerOptions
            {
                ExtraArguments = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"],
            })));
            _nodes.AddRange(started);
            await CreateAsync();
            await WaitForStateOkAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>The hash slot Redis itself computes for <paramref name="key"/> (<c>CLUSTER KEYSLOT</c>).</summary>
    public async Task<int> KeySlotAsync(string key)
    {
        var reply = await _nodes[0].ExecuteAsync("CLUSTER", "KEYSLOT", key);
        return int.Parse(reply.TrimStart(':'), CultureInfo.InvariantCulture);
    }

    /// <summary>Sends a one-key command to the master that owns the key, following one <c>MOVED</c> redirect.</summary>
    public async Task<string> ExecuteAsync(params string[] command)
    {
        var reply = await _nodes[0].ExecuteAsync(command);
        if (!reply.StartsWith("-MOVED ", StringComparison.Ordinal))
        {
            return reply;
        }

        var port = int.Parse(reply[(reply.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
        var owner = _nodes.Single(n => n.Port == port);
        return await owner.ExecuteAsync(command);
    }

    /// <summary>The master that owns <paramref name="key"/>'s slot (the one node that does not answer <c>MOVED</c>).</summary>
    public async Task<RedisServer> OwnerAsync(string key)
    {
        foreach (var node in _nodes)
        {
            if (!(await node.ExecuteAsync("EXISTS", key)).StartsWith("-MOVED ", StringComparison.Ordinal))
            {
                return node;
            }
        }

        throw new InvalidOperationException($"No master owns the slot of {key}");
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _nodes.Clear();
    }

    private async Task CreateAsync()
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--cluster");
        start.ArgumentList.Add("create");
        foreach (var node in _nodes)
        {
            start.ArgumentList.Add($"127.0.0.1:{node.Port}");
        }

        start.ArgumentList.Add("--cluster-replicas");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--cluster-yes");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }

    /// <summary>Waits until every node reports <c>cluster_state:ok</c> (e.g. after restarting one).</summary>
    public async Task WaitForStateOkAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var states = await Task.WhenAll(_nodes.Select(n => n.ExecuteAsync("CLUSTER", "INFO")));
            if (states.All(s => s.Trim() == "cluster_state:ok"))
            {
                return;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("The cluster did not reach cluster_state:ok: " + string.Join(" | ", states));
            }

            await Task.Delay(50);
        }
    }
}
