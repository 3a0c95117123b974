namespace LoadTests.Hosting;

/// <summary>
/// <c>loadtests/peers/JwtBearerPeer</c> (YARP + ASP.NET Core JwtBearer + one Redis EXISTS of the jti) as a peer of the
/// gateway: its Release build (built first when missing or stale), started with the run's JWKS, issuer, audience,
/// backend and Redis, the same GC settings as the gateway, stopped by pid.
/// </summary>
internal sealed class JwtBearerPeerHost
{
    /// <summary>Where the peer looks for denylisted jtis: <c>EXISTS peer-denylist:jti:&lt;jti&gt;</c>.</summary>
    public const string DenyPrefix = "peer-denylist:jti:";

    private JwtBearerPeerHost(ChildProcess process, int port)
    {
        Process = process;
        Url = Loopback.Url(port);
    }

    public ChildProcess Process { get; }

    public Uri Url { get; }

    public static async Task<JwtBearerPeerHost> StartAsync(string workDirectory, Uri backend, string jwks, string redis, string issuer, string audience,
        TextWriter output, CancellationToken cancellationToken)
    {
        var dll = await ProjectBuild.LocateOrBuildAsync(Path.Combine("loadtests", "peers", "JwtBearerPeer"), "JwtBearerPeer", output, cancellationToken);
        var jwksPath = Path.Combine(workDirectory, "jwtbearer-peer-jwks.json");
        await File.WriteAllTextAsync(jwksPath, jwks, cancellationToken);
        var port = Loopback.FreePort();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["DOTNET_gcServer"] = "1",
            ["DOTNET_gcConcurrent"] = "0",
        };
        string[] arguments =
        [
            dll, "--urls", $"http://127.0.0.1:{port}", "--backend", backend.ToString(), "--redis", redis, "--jwks", jwksPath,
            "--issuer", issuer, "--audience", audience, "--deny-prefix", DenyPrefix,
        ];
        var process = ChildProcesses.Start("jwtbearer-peer", "dotnet", arguments, environment, workDirectory);
        var peer = new JwtBearerPeerHost(process, port);
        await Loopback.WaitForHttpAsync(new Uri(peer.Url, "/public/ready"), process, TimeSpan.FromSeconds(60), cancellationToken);
        return peer;
    }
}
