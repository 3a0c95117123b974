using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Gate;

/// <summary>One compiled <see cref="RoutePolicy"/> per route config object; a reload brings new objects.</summary>
internal sealed class RoutePolicyCache(RoutePolicyParser parser)
{
    private readonly ConditionalWeakTable<RouteConfig, RoutePolicy> _policies = new();

    public RoutePolicy Get(RouteConfig route) =>
        _policies.GetValue(route, r =>
        {
            var errors = new List<string>();
            var policy = parser.Parse(r, errors);
            // The config filter already refused invalid routes; a route that still fails here is treated as protected.
            return errors.Count == 0 ? policy : policy with { Anonymous = false };
        });
}
