using Gateway.Gate;
using Gateway.Gate.Rules;
using Gateway.Testing;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Gate;

/// <summary>One policy per route config object, compiled once; the lookup is on every request's path.</summary>
public sealed class RoutePolicyCacheTests
{
    [Fact]
    public void Get_SameRouteObject_GivesTheSamePolicy()
    {
        var cache = new RoutePolicyCache(new RoutePolicyParser([new RequiredScopesRule()]));
        var route = Route("read");

        Assert.Same(cache.Get(route), cache.Get(route));
    }

    [Fact]
    public void Get_ReloadedRouteObject_CompilesItsOwnPolicy()
    {
        var cache = new RoutePolicyCache(new RoutePolicyParser([new RequiredScopesRule()]));
        var before = cache.Get(Route("read"));

        var after = cache.Get(Route("write"));

        Assert.NotSame(before, after);
        Assert.Equal("r", after.RouteId);
    }

    [Fact]
    public void Get_CachedRoute_AllocatesNothing()
    {
        var cache = new RoutePolicyCache(new RoutePolicyParser([new RequiredScopesRule()]));
        var route = Route("read");
        cache.Get(route);

        Assert.True(Allocations.PerCall(() => cache.Get(route)) < 1, "a cached route's lookup must not allocate");
    }

    private static RouteConfig Route(string scopes) => new()
    {
        RouteId = "r",
        ClusterId = "c",
        Match = new RouteMatch { Path = "/{**rest}" },
        Metadata = new Dictionary<string, string> { ["RequiredScopes"] = scopes },
    };
}
