using Yarp.ReverseProxy.Configuration;

namespace Gateway.Gate;

/// <summary>
/// Validates each route's AuthorizationPolicy and session metadata whenever YARP loads or reloads config. A bad
/// value fails start-up (or, on reload, keeps the previous config) with the key at fault. The policy is moved
/// into metadata so that the gateway's own check, not ASP.NET authorization, enforces it.
/// </summary>
internal sealed class RoutePolicyConfigFilter(RoutePolicyParser parser) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => new(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        var errors = new List<string>();
        parser.Parse(route, errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        }

        var metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            [RouteMetadataKeys.Policy] = route.Metadata?.GetValueOrDefault(RouteMetadataKeys.Policy)
                ?? (string.Equals(route.AuthorizationPolicy, RoutePolicy.AnonymousPolicy, StringComparison.OrdinalIgnoreCase)
                    ? RoutePolicy.AnonymousPolicy
                    : RoutePolicy.DefaultPolicy),
        };
        return new(route with { AuthorizationPolicy = null, Metadata = metadata });
    }
}
