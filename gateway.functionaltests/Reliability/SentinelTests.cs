using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>Redis Sentinel through a StackExchange.Redis <c>serviceName=...</c> configuration string.</summary>
public sealed class SentinelTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    [Fact]
    public async Task SentinelConfiguration_NoSentinelReachable_StartsAndReportsNotReady()
    {
        // Accepted at start-up (the connection is made in the background); readiness tells it is not connected.
        var config = rig.CreateConfig($"127.0.0.1:{FreePort.Next()},serviceName=mymaster,abortConnect=false,connectTimeout=1000");
        await using var gateway = await GatewayHost.StartAsync(config);

        var health = await ReliabilityRig.HealthAsync(gateway);
        Assert.False(health.Ready);
        var answer = await ReliabilityRig.GetAsync(gateway, "/api/x", rig.Token(ReliabilityRig.NewUser(), sid: "s1"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Equal("session_store_unavailable", answer.Reason);
    }

    [Fact]
    public async Task SentinelConfiguration_RealSentinel_FindsMasterAndEnforcesRevocations()
    {
        await using var master = await ReliabilityRig.StartRedisAsync();
        await using var sentinel = await Sentinel.StartAsync(master.Port);
        var clock = Stopwatch.StartNew();
        await using var gateway = await ReliabilityRig.StartGatewayAsync(
            rig.CreateConfig($"127.0.0.1:{sentinel.Port},serviceName=mymaster,abortConnect=false,connectTimeout=2000"));
        output.WriteLine($"sentinel: gateway ready {clock.Elapsed.TotalMilliseconds:0} ms after start-up began");

        var sub = ReliabilityRig.NewUser();
        var token = rig.Token(sub, sid: "s1");
        ReliabilityRig.AssertAllowed(await ReliabilityRig.GetAsync(gateway, "/api/x", token));
        await ReliabilityRig.AdminOkAsync(gateway, "/admin/revoke/session", new { sub, sid = "s1" });
        Assert.Equal("session_revoked", (await ReliabilityRig.GetAsync(gateway, "/api/refused", token)).Reason);
        Assert.Equal("revoked", await master.ExecuteAsync("GET", $"gw:{{{TokenFactory.Issuer}|{sub}}}:sid:s1"));
    }

    /// <summary>One <c>redis-server --sentinel</c> watching a master (quorum 1), in its own temp folder.</summary>
    private sealed class Sentinel : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Sentinel(Process process, string directory, int port)
        {
            _process = process;
            _directory = directory;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Sentinel> StartAsync(int masterPort)
        {
            var directory = Path.Combine(Path.GetTempPath(), "gateway-tests-sentinel", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var port = FreePort.Next();
            var conf = Path.Combine(directory, "sentinel.conf");
            await File.WriteAllTextAsync(conf, string.Join('\n',
                $"port {port.ToString(CultureInfo.InvariantCulture)}",
                "bind 127.0.0.1",
                "protected-mode no",
                "daemonize no",
                $"dir {directory}",
                $"sentinel monitor mymaster 127.0.0.1 {masterPort.ToString(CultureInfo.InvariantCulture)} 1",
                ""));
            var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(conf);
            start.ArgumentList.Add("--sentinel");
            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server --sentinel did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var sentinel = new Sentinel(process, directory, port);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port);
                    return sentinel;
                }
                catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
                {
                    await Task.Delay(20);
                }
                catch
                {
                    await sentinel.DisposeAsync();
                    throw;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
