using LoadTests.Tokens;

namespace LoadTests.Hosting;

/// <summary>
/// Everything a self-contained run starts on loopback: the echo backend, redis-server (free port, temp folder), the
/// gateway (Release build, generated config, ES256 issuer with an inline JWKS from a fresh key, Redis on) and the
/// bare YARP baseline. Disposing stops each by pid and deletes the temp folder.
/// </summary>
internal sealed class LocalDeployment : IAsyncDisposable
{
    private readonly List<ChildProcess> _own = [];

    private LocalDeployment(string workDirectory, string gatewayDll)
    {
        WorkDirectory = workDirectory;
        GatewayDll = gatewayDll;
    }

    public string WorkDirectory { get; }

    public string GatewayDll { get; }

    public SigningKey Key { get; } = SigningKey.Generate();

    public string ApiKey { get; } = GatewayInstance.NewApiKey();

    public Uri BackendUrl { get; private set; } = null!;

    public ChildProcess Backend { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayInstance Gateway { get; private set; } = null!;

    public ChildProcess? Baseline { get; private set; }

    public Uri? BaselineUrl { get; private set; }

    public List<GatewayInstance> ExtraGateways { get; } = [];

    public static async Task<LocalDeployment> StartAsync(bool baseline, bool persistentRedis, string? gatewayDll, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = await GatewayInstance.LocateOrBuildAsync(gatewayDll, output, cancellationToken);
        var deployment = new LocalDeployment(Directory.CreateTempSubdirectory("loadtests-").FullName, dll);
        try
        {
            var (exe, prefix) = RepoPaths.Self();
            var backendPort = Loopback.FreePort();
            deployment.BackendUrl = Loopback.Url(backendPort);
            deployment.Backend = deployment.Own(ChildProcesses.Start("backend", exe, [.. prefix, "backend", "--urls", deployment.BackendUrl.ToString().TrimEnd('/')], SameGc()));
            await Loopback.WaitForHttpAsync(new Uri(deployment.BackendUrl, "/ready"), deployment.Backend, TimeSpan.FromSeconds(60), cancellationToken);

            deployment.Redis = await RedisServer.StartAsync(deployment.WorkDirectory, persistentRedis, cancellationToken);
            deployment.Gateway = await GatewayInstance.StartAsync("gateway", dll, deployment.WorkDirectory, deployment.Key.PublicJwks(),
                deployment.BackendUrl.ToString(), deployment.Redis.Configuration, deployment.ApiKey, cancellationToken);
            deployment.Own(deployment.Gateway.Process);
            if (baseline)
            {
                (deployment.BaselineUrl, deployment.Baseline) = await deployment.StartBaselineAsync("baseline", cancellationToken);
            }

            await output.WriteLineAsync($"started on loopback: backend {deployment.BackendUrl} (pid {deployment.Backend.Pid}), redis-server :{deployment.Redis.Port} (pid {deployment.Redis.Process?.Pid}), " +
                $"gateway {deployment.Gateway.Url} admin {deployment.Gateway.AdminUrl} (pid {deployment.Gateway.Process.Pid})" +
                (deployment.Baseline is { } b ? $", baseline {deployment.BaselineUrl} (pid {b.Pid})" : ""));
            await output.WriteLineAsync($"gateway build: {dll}");
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A bare YARP process on the backend (the baseline; <c>compare --calibrate</c> starts a second one), with the
    /// backend's GC settings.
    /// </summary>
    public async Task<(Uri Url, ChildProcess Process)> StartBaselineAsync(string name, CancellationToken cancellationToken)
    {
        var (exe, prefix) = RepoPaths.Self();
        var url = Loopback.Url(Loopback.FreePort());
        var process = Own(ChildProcesses.Start(name, exe, [.. prefix, "baseline", "--urls", url.ToString().TrimEnd('/'), "--backend", BackendUrl.ToString()], SameGc()));
        await Loopback.WaitForHttpAsync(new Uri(url, "/public/ready"), process, TimeSpan.FromSeconds(60), cancellationToken);
        return (url, process);
    }

    /// <summary>Another gateway instance on the same Redis and backend (for revocation-lag).</summary>
    public async Task<GatewayInstance> StartAnotherGatewayAsync(string name, CancellationToken cancellationToken)
    {
        var instance = await GatewayInstance.StartAsync(name, GatewayDll, WorkDirectory, Key.PublicJwks(), BackendUrl.ToString(), Redis.Configuration, ApiKey, cancellationToken);
        Own(instance.Process);
        ExtraGateways.Add(instance);
        return instance;
    }

    public void StopGateway(GatewayInstance instance)
    {
        ChildProcesses.Stop(instance.Process);
        _own.Remove(instance.Process);
        ExtraGateways.Remove(instance);
    }

    public ValueTask DisposeAsync()
    {
        for (var i = _own.Count - 1; i >= 0; i--)
        {
            ChildProcesses.Stop(_own[i]);
        }

        _own.Clear();
        Redis?.Stop();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static Dictionary<string, string> SameGc() => new(StringComparer.Ordinal) { ["DOTNET_gcServer"] = "1", ["DOTNET_gcConcurrent"] = "0" };

    private ChildProcess Own(ChildProcess process)
    {
        _own.Add(process);
        return process;
    }
}
