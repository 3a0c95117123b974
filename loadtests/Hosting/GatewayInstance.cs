using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LoadTests.Hosting;

/// <summary>
/// One gateway process (its Release build), started with a generated config: an ES256 issuer with an inline JWKS,
/// Redis, the admin listener, and the same routes as the baseline. Admin keys go in through the environment.
/// </summary>
internal sealed class GatewayInstance
{
    public const string Issuer = "https://loadtests.local";
    public const string Audience = "api";

    private GatewayInstance(string name, ChildProcess process, int port, int adminPort, string apiKey)
    {
        Name = name;
        Process = process;
        Url = Loopback.Url(port);
        AdminUrl = Loopback.Url(adminPort);
        ApiKey = apiKey;
    }

    public string Name { get; }

    public ChildProcess Process { get; }

    public Uri Url { get; }

    public Uri AdminUrl { get; }

    public string ApiKey { get; }

    public static async Task<GatewayInstance> StartAsync(string name, string gatewayDll, string workDirectory, string jwks, string backend, string? redis,
        string apiKey, CancellationToken cancellationToken)
    {
        var port = Loopback.FreePort();
        var adminPort = Loopback.FreePort();
        var config = new JsonObject
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
            ["Gateway"] = new JsonObject
            {
                ["Admin"] = new JsonObject { ["Urls"] = $"http://127.0.0.1:{adminPort}" },
                // Tokens are minted before the gateway starts; a fresh redis-server has no epoch marker, and the
                // data-loss cut-off would refuse every token issued before the first start.
                ["Redis"] = new JsonObject { ["Configuration"] = redis ?? "", ["DataLossCutoff"] = false },
                // DPoP proofs for the dpop-tokens check are made before it is measured: a wide iat window.
                ["Dpop"] = new JsonObject { ["IatWindow"] = "00:10:00" },
                ["Tokens"] = new JsonObject
                {
                    ["Issuers"] = new JsonArray(new JsonObject
                    {
                        ["Issuer"] = Issuer,
                        ["Audiences"] = new JsonArray(Audience),
                        ["Algorithms"] = new JsonArray("ES256"),
                        ["Jwks"] = jwks,
                    }),
                },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["public"] = new JsonObject { ["ClusterId"] = "api", ["AuthorizationPolicy"] = "anonymous", ["Match"] = new JsonObject { ["Path"] = "/public/{**rest}" } },
                    ["api"] = new JsonObject { ["ClusterId"] = "api", ["Match"] = new JsonObject { ["Path"] = "/api/{**rest}" } },
                    ["sensitive"] = new JsonObject { ["ClusterId"] = "api", ["Match"] = new JsonObject { ["Path"] = "/account/{**rest}" } },
                },
                ["Clusters"] = new JsonObject
                {
                    ["api"] = new JsonObject { ["Destinations"] = new JsonObject { ["backend"] = new JsonObject { ["Address"] = backend.TrimEnd('/') + "/" } } },
                },
            },
        };
        var configPath = Path.Combine(workDirectory, $"{name}.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Gateway__Admin__ApiKeys__0"] = apiKey,
        };
        var process = ChildProcesses.Start(name, "dotnet", [gatewayDll, "--config", configPath], environment, workDirectory);
        var instance = new GatewayInstance(name, process, port, adminPort, apiKey);
        await Loopback.WaitForHttpAsync(new Uri(instance.Url, "/public/ready"), process, TimeSpan.FromSeconds(60), cancellationToken);
        return instance;
    }

    public static string NewApiKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>
    /// gateway/bin/Release/net10.0/Gateway.dll, built first with <c>dotnet build gateway -c Release</c> when missing or
    /// older than the gateway's sources.
    /// </summary>
    public static async Task<string> LocateOrBuildAsync(string? explicitDll, TextWriter output, CancellationToken cancellationToken)
    {
        if (explicitDll is not null)
        {
            return File.Exists(explicitDll) ? Path.GetFullPath(explicitDll) : throw new FileNotFoundException($"--gateway-dll: {explicitDll} not found");
        }

        if (RepoPaths.Root() is null)
        {
            throw new InvalidOperationException("Gateway.sln not found above the working directory; pass --gateway-dll");
        }

        return await ProjectBuild.LocateOrBuildAsync("gateway", "Gateway", output, cancellationToken);
    }

    /// <summary>A sanity check before measuring: the gateway refuses a request without a token.</summary>
    public async Task<bool> RefusesWithoutTokenAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(Url, "/api/check"), cancellationToken);
        return (int)response.StatusCode == 401;
    }
}
