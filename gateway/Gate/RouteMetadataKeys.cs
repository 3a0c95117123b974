namespace Gateway.Gate;

/// <summary>
/// The route <c>Metadata</c> keys the gate itself reads. Each per-route rule declares its own key
/// (<see cref="Rules.IRouteRule.MetadataKey"/>).
/// </summary>
public static class RouteMetadataKeys
{
    /// <summary>Closed/Open: overrides <c>Gateway:Sessions:FailureMode</c> for this route.</summary>
    public const string FailureMode = "FailureMode";

    /// <summary>Time span: tokens whose <c>auth_time</c> is older get an RFC 9470 step-up challenge.</summary>
    public const string MaxTokenAge = Rules.MaxTokenAgeRule.Key;

    /// <summary>true/false: only the user's active session passes (once one was activated).</summary>
    public const string SingleSession = Rules.SingleSessionRule.Key;

    /// <summary>Count: the N+1-th use of one <c>jti</c> on this route is refused.</summary>
    public const string MaxUses = Rules.MaxUsesRule.Key;

    /// <summary>Space-separated scopes that must all be granted (else 403 insufficient_scope).</summary>
    public const string RequiredScopes = Rules.RequiredScopesRule.Key;

    /// <summary>true/false: open connections are closed when their token, session or user is revoked (unset: WebSockets and event streams are).</summary>
    public const string CloseOnRevocation = Connections.CloseOnRevocationRule.Key;

    /// <summary>true/false (default false): open connections are closed once their token expired (+ <see cref="ExpiryGrace"/>).</summary>
    public const string CloseOnExpiry = Connections.CloseOnExpiryRule.Key;

    /// <summary>Time span (default 00:00:30): how long after <c>exp</c> an expiring connection is closed.</summary>
    public const string ExpiryGrace = Connections.ExpiryGraceRule.Key;

    /// <summary>true/false: a token issued more than <c>TokenReplacedGrace</c> before its session's newest token is refused (token_replaced).</summary>
    public const string NewestTokenWins = Rules.NewestTokenWinsRule.Key;

    /// <summary>NewestLogin/FirstLogin: the gateway itself keeps one session per user live on this route (session_not_active).</summary>
    public const string SingleSessionPolicy = Rules.SingleSessionPolicyRule.Key;

    /// <summary>Allowed/Required: Required accepts DPoP-bound tokens (with a valid proof) only.</summary>
    public const string Dpop = Rules.ProofOfPossessionRule.Key;

    /// <summary>Set by the gateway from the route's AuthorizationPolicy; not for users.</summary>
    internal const string Policy = "Gateway.AuthorizationPolicy";
}
