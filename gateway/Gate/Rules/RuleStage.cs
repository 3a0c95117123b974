namespace Gateway.Gate.Rules;

/// <summary>When a route check runs.</summary>
internal enum RuleStage
{
    /// <summary>On the verified token (and the request), before any session state is read: costs no store call.</summary>
    Token,

    /// <summary>After the session state was read and the decision rules passed; may read <see cref="RuleContext.State"/>.</summary>
    Session,

    /// <summary>
    /// Never judged on a request: configures how the route's open connections are guarded once forwarded
    /// (<see cref="Connections.ConnectionSetting"/>, folded into <see cref="RoutePolicy.Connections"/>).
    /// </summary>
    Connection,
}
