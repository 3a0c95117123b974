namespace Gateway.Gate.Rules;

/// <summary>
/// A per-route rule: it owns one route <c>Metadata</c> key, compiles that key's value when YARP loads or reloads its
/// config, and judges requests through the compiled <see cref="IRouteCheck"/>. Registered with
/// <see cref="RouteRulesServiceCollectionExtensions.AddRouteRule{TRule}"/>; a new rule is one class and one line.
/// A rule about the route's open connections rather than its requests compiles to a
/// <see cref="Connections.ConnectionSetting"/> (<see cref="RuleStage.Connection"/>), folded into
/// <see cref="RoutePolicy.Connections"/>.
/// </summary>
internal interface IRouteRule
{
    /// <summary>The route <c>Metadata</c> key this rule reads, e.g. <c>MaxTokenAge</c>.</summary>
    string MetadataKey { get; }

    /// <summary>
    /// The check for a route whose metadata sets this key to <paramref name="value"/>; null when the value means
    /// "off" or is invalid (then <paramref name="error"/> says why, without the key: the caller names it).
    /// </summary>
    IRouteCheck? Compile(string value, out string? error);

    /// <summary>
    /// The check of a protected route whose metadata does not set this key; null (the default) for none. A rule with a
    /// default applies to every protected route (proof of possession does), and such rules are judged first.
    /// </summary>
    IRouteCheck? Default => null;
}
