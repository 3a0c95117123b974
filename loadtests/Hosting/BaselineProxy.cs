using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace LoadTests.Hosting;

/// <summary>
/// Bare YARP with the gateway's routes (<c>/public</c>, <c>/api</c>, <c>/account</c> to one backend) and no token
/// checks: the baseline every ratio is measured against.
/// </summary>
internal static class BaselineProxy
{
    public static WebApplication Build(string urls, string backend)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddReverseProxy().LoadFromMemory(Routes(), [Cluster(backend)]);
        var app = builder.Build();
        app.MapReverseProxy();
        return app;
    }

    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        new RouteConfig { RouteId = "public", ClusterId = "api", Match = new RouteMatch { Path = "/public/{**rest}" } },
        new RouteConfig { RouteId = "api", ClusterId = "api", Match = new RouteMatch { Path = "/api/{**rest}" } },
        new RouteConfig { RouteId = "sensitive", ClusterId = "api", Match = new RouteMatch { Path = "/account/{**rest}" } },
    ];

    private static ClusterConfig Cluster(string backend) => new()
    {
        ClusterId = "api",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal)
        {
            ["backend"] = new DestinationConfig { Address = backend.TrimEnd('/') + "/" },
        },
    };
}
