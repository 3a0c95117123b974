using Gateway.Gate.Connections;
using Gateway.Gate.Rules;
using Gateway.Sessions;

namespace Gateway.Gate;

/// <summary>What a route demands, compiled once per route config by <see cref="RoutePolicyParser"/>.</summary>
/// <param name="RouteId">The YARP route id.</param>
/// <param name="Anonymous">No token is needed.</param>
/// <param name="FailureMode">The route's own failure mode, if set.</param>
/// <param name="TokenChecks">Rules judged on the token before the session read.</param>
/// <param name="SessionChecks">Rules judged after the session read.</param>
internal sealed record RoutePolicy(string RouteId, bool Anonymous, FailureMode? FailureMode, IRouteCheck[] TokenChecks, IRouteCheck[] SessionChecks)
{
    public const string AnonymousPolicy = "anonymous";
    public const string DefaultPolicy = "default";

    /// <summary>The route's "allowed" request counter (metrics), taken once so a forwarded request costs one increment.</summary>
    public System.Runtime.CompilerServices.StrongBox<long> AllowedCount { get; init; } = new();

    /// <summary>The route's tag on <c>gateway.request.duration</c>, built once so recording allocates nothing.</summary>
    public KeyValuePair<string, object?> RouteTag { get; } = new("route", RouteId);

    /// <summary>How the route's open connections are guarded (WebSockets, event streams, ...).</summary>
    public ConnectionPolicy Connections { get; init; } = ConnectionPolicy.Default;

    /// <summary>A rule counts in the store: never judged on last-known state.</summary>
    public bool NeedsLiveStore { get; } = TokenChecks.Any(c => c.NeedsLiveStore) || SessionChecks.Any(c => c.NeedsLiveStore);
}
