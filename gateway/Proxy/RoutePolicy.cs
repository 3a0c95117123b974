using System.Globalization;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Proxy;

/// <summary>Per-route metadata keys (YARP route <c>Metadata</c>), declared once and validated at start-up and reload.</summary>
public static class RouteMetadataKeys
{
    /// <summary>Time span: tokens whose <c>auth_time</c> (else <c>iat</c>) is older get an RFC 9470 step-up challenge.</summary>
    public const string MaxTokenAge = "MaxTokenAge";

    /// <summary>true/false: only the user's active session passes (once one was activated).</summary>
    public const string SingleSession = "SingleSession";

    /// <summary>Count: the N+1-th use of one <c>jti</c> on this route is refused.</summary>
    public const string MaxUses = "MaxUses";

    /// <summary>Closed/Open: overrides <c>Gateway:Redis:FailureMode</c> for this route.</summary>
    public const string FailureMode = "FailureMode";

    /// <summary>Set by the gateway from the route's AuthorizationPolicy; not for users.</summary>
    internal const string Policy = "Gateway.AuthorizationPolicy";
}

/// <summary>What a route demands, compiled once per route config.</summary>
public sealed record RoutePolicy(
    string RouteId,
    bool Anonymous,
    TimeSpan? MaxTokenAge,
    bool SingleSession,
    int? MaxUses,
    Sessions.FailureMode? FailureMode)
{
    public const string AnonymousPolicy = "anonymous";
    public const string DefaultPolicy = "default";

    /// <summary>Parses a route's policy and metadata; every problem is reported with its configuration key.</summary>
    public static RoutePolicy Parse(RouteConfig route, List<string> errors)
    {
        var prefix = $"ReverseProxy:Routes:{route.RouteId}";
        var anonymous = false;
        var policy = route.Metadata?.GetValueOrDefault(RouteMetadataKeys.Policy) ?? route.AuthorizationPolicy;
        if (string.Equals(policy, AnonymousPolicy, StringComparison.OrdinalIgnoreCase))
        {
            anonymous = true;
        }
        else if (!string.IsNullOrEmpty(policy) && !string.Equals(policy, DefaultPolicy, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{prefix}:AuthorizationPolicy: unknown policy '{policy}' (use 'anonymous', or 'default' / nothing for a live token)");
        }

        var metadata = route.Metadata ?? new Dictionary<string, string>();
        TimeSpan? maxAge = null;
        if (metadata.TryGetValue(RouteMetadataKeys.MaxTokenAge, out var ageText))
        {
            if (TimeSpan.TryParse(ageText, CultureInfo.InvariantCulture, out var age) && age > TimeSpan.Zero)
            {
                maxAge = age;
            }
            else
            {
                errors.Add($"{prefix}:Metadata:MaxTokenAge: '{ageText}' is not a positive time span such as 00:05:00");
            }
        }

        var single = false;
        if (metadata.TryGetValue(RouteMetadataKeys.SingleSession, out var singleText) && !bool.TryParse(singleText, out single))
        {
            errors.Add($"{prefix}:Metadata:SingleSession: '{singleText}' is not true or false");
        }

        int? maxUses = null;
        if (metadata.TryGetValue(RouteMetadataKeys.MaxUses, out var usesText))
        {
            if (int.TryParse(usesText, NumberStyles.None, CultureInfo.InvariantCulture, out var uses) && uses > 0)
            {
                maxUses = uses;
            }
            else
            {
                errors.Add($"{prefix}:Metadata:MaxUses: '{usesText}' is not a positive whole number");
            }
        }

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

        if (anonymous && (maxAge is not null || single || maxUses is not null))
        {
            errors.Add($"{prefix}:Metadata: session rules (MaxTokenAge, SingleSession, MaxUses) need a token; the route is anonymous");
        }

        return new RoutePolicy(route.RouteId, anonymous, maxAge, single, maxUses, failureMode);
    }
}
