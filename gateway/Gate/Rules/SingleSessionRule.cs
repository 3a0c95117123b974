using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>SingleSession</c> (true/false): once the user has an active session (<c>sessions/activate</c>), only that
/// <c>sid</c> passes here (<c>session_not_active</c>, distinct so that clients stop rather than sign in again in a loop).
/// </summary>
internal sealed class SingleSessionRule : IRouteRule
{
    public const string Key = "SingleSession";

    private static readonly Check Instance = new();

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (!RuleValues.TryParseFlag(value, out var on, out error))
        {
            return null;
        }

        return on ? Instance : null;
    }

    private sealed class Check : IRouteCheck
    {
        private static readonly Refusal NotActive = Refusal.Of(Reasons.SessionNotActive);

        public RuleStage Stage => RuleStage.Session;

        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context) =>
            new(context.State.ActiveSession is { } active && !string.Equals(active, context.Token.SessionId, StringComparison.Ordinal) ? NotActive : null);
    }
}
