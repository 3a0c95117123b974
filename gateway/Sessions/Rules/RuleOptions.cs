namespace Gateway.Sessions.Rules;

/// <summary>Revocation rules, section <c>Gateway:Rules</c>.</summary>
public sealed class RuleOptions
{
    public const string SectionName = "Gateway:Rules";

    /// <summary>
    /// How often every instance reloads all rules from the store (besides the pub/sub announcement of each new rule),
    /// and drops those that are over. Default 30 s.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);
}
