using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Gate;

/// <summary>One compiled <see cref="RoutePolicy"/> per route config object; a reload brings new objects.</summary>
internal sealed class RoutePolicyCache
{
    private readonly ConditionalWeakTable<RouteConfig, RoutePolicy> _policies = new();

    // Made once: a lambda that uses the parser is a new delegate on every call, and Get runs on every request.
    private readonly ConditionalWeakTable<RouteConfig, RoutePolicy>.CreateValueCallback _compile;

    public RoutePolicyCache(RoutePolicyParser parser) =>
        _compile = route =>
        {
            var errors = new List<string>();
            var policy = parser.Parse(route, errors);
            // The config filter already refused invalid routes; a route that still fails here is treated as protected.
            return errors.Count == 0 ? policy : policy with { Anonymous = false };
        };

    public RoutePolicy Get(RouteConfig route) => _policies.GetValue(route, _compile);
}
