using Gateway.Gate.Refusals;
using Microsoft.Extensions.Options;
using SessionOptions = Gateway.Sessions.SessionOptions;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>NewestTokenWins</c> (true/false): once a token of session S issued at T has been seen, tokens of S issued before
/// T − <c>Gateway:Sessions:TokenReplacedGrace</c> are refused (<c>token_replaced</c>): a refresh makes the previous
/// access token useless without a call from the token service. The newest <c>iat</c> comes from the session
/// inventory and is read with the rest of the session state (same round trip). Tokens without <c>sid</c> pass.
/// </summary>
internal sealed class NewestTokenWinsRule(IOptions<SessionOptions> options) : IRouteRule
{
    public const string Key = "NewestTokenWins";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (!RuleValues.TryParseFlag(value, out var on, out error))
        {
            return null;
        }

        if (on && !options.Value.Inventory.Enabled)
        {
            error = $"needs the session inventory ({SessionOptions.SectionName}:Inventory:Enabled is false)";
            return null;
        }

        error = null;
        return on ? new Check((long)options.Value.TokenReplacedGrace.TotalSeconds) : null;
    }

    private sealed class Check(long graceSeconds) : IRouteCheck
    {
        private static readonly Refusal Replaced = Refusal.Of(Reasons.TokenReplaced);

        public RuleStage Stage => RuleStage.Session;

        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context)
        {
            var newest = context.State.SessionNewestIat;
            return new(context.Token.SessionId is not null && newest > 0 && context.Token.IssuedAt < newest - graceSeconds ? Replaced : null);
        }
    }
}
