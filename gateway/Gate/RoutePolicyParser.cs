using Gateway.Gate.Connections;
using Gateway.Gate.Rules;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Gate;

/// <summary>
/// Compiles a route's <c>AuthorizationPolicy</c> and <c>Metadata</c> into a <see cref="RoutePolicy"/> with the
/// registered rules; every problem is reported with the route and the key at fault.
/// </summary>
internal sealed class RoutePolicyParser
{
    private readonly IRouteRule[] _rules;
    private readonly Telemetry.GatewayMetrics? _metrics;

    public RoutePolicyParser(IEnumerable<IRouteRule> rules, Telemetry.GatewayMetrics? metrics = null)
    {
        // Rules that apply to every protected route (proof of possession) authenticate the request: judged first.
        _rules = [.. rules.OrderBy(r => r.Default is null ? 1 : 0)];
        _metrics = metrics;
    }

    public IReadOnlyList<IRouteRule> Rules => _rules;

    public RoutePolicy Parse(RouteConfig route, List<string> errors)
    {
        var prefix = $"ReverseProxy:Routes:{route.RouteId}";
        var anonymous = false;
        var policy = route.Metadata?.GetValueOrDefault(RouteMetadataKeys.Policy) ?? route.AuthorizationPolicy;
        if (string.Equals(policy, RoutePolicy.AnonymousPolicy, StringComparison.OrdinalIgnoreCase))
        {
            anonymous = true;
        }
        else if (!string.IsNullOrEmpty(policy) && !string.Equals(policy, RoutePolicy.DefaultPolicy, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{prefix}:AuthorizationPolicy: unknown policy '{policy}' (use 'anonymous', or 'default' / nothing for a live token)");
        }

        var metadata = route.Metadata ?? new Dictionary<string, string>();
        Sessions.FailureMode? failureMode = null;
        if (metadata.TryGetValue(RouteMetadataKeys.FailureMode, out var modeText))
        {
            if (Enum.TryParse<Sessions.FailureMode>(modeText, ignoreCase: true, out var mode) && Enum.IsDefined(mode))
            {
                failureMode = mode;
            }
            else
            {
                errors.Add($"{prefix}:Metadata:FailureMode: '{modeText}' is not Closed or Open");
            }
        }

        var tokenChecks = new List<IRouteCheck>();
        var sessionChecks = new List<IRouteCheck>();
        var connections = ConnectionPolicy.Default;
        var used = new List<string>();
        foreach (var rule in _rules)
        {
            if (!metadata.TryGetValue(rule.MetadataKey, out var value))
            {
                if (!anonymous && rule.Default is { } always)
                {
                    (always.Stage == RuleStage.Token ? tokenChecks : sessionChecks).Add(always);
                }

                continue;
            }

            used.Add(rule.MetadataKey);
            var check = rule.Compile(value, out var error);
            if (error is not null)
            {
                errors.Add($"{prefix}:Metadata:{rule.MetadataKey}: {error}");
            }
            else if (check is ConnectionSetting setting)
            {
                connections = setting.Apply(connections);
            }
            else if (check is not null)
            {
                (check.Stage == RuleStage.Token ? tokenChecks : sessionChecks).Add(check);
            }
        }

        if (anonymous && used.Count > 0)
        {
            errors.Add($"{prefix}:Metadata: rules ({string.Join(", ", used)}) need a token; the route is anonymous");
        }

        return new RoutePolicy(route.RouteId, anonymous, failureMode, [.. tokenChecks], [.. sessionChecks])
        {
            AllowedCount = _metrics?.RequestCounter(route.RouteId, Telemetry.GatewayMetrics.AllowedOutcome, null) ?? new(),
            Connections = connections,
        };
    }
}
