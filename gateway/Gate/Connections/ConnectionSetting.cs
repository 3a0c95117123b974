using Gateway.Gate.Refusals;
using Gateway.Gate.Rules;

namespace Gateway.Gate.Connections;

/// <summary>
/// A compiled connection rule (<see cref="RuleStage.Connection"/>): it judges no request, it shapes the route's
/// <see cref="ConnectionPolicy"/>, which <see cref="RoutePolicyParser"/> folds into <see cref="RoutePolicy.Connections"/>.
/// </summary>
internal sealed class ConnectionSetting(Func<ConnectionPolicy, ConnectionPolicy> apply) : IRouteCheck
{
    public RuleStage Stage => RuleStage.Connection;

    public bool NeedsLiveStore => false;

    /// <summary>The route's connection policy with this setting applied.</summary>
    public ConnectionPolicy Apply(ConnectionPolicy policy) => apply(policy);

    public ValueTask<Refusal?> JudgeAsync(RuleContext context) => new((Refusal?)null);
}
