using Gateway.Gate.ProofOfPossession;
using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>Dpop</c> (<c>Allowed</c> or <c>Required</c>): proof of possession on every protected route. Without the key (or
/// with <c>Allowed</c>), a bound token must prove possession of its key or certificate and a plain bearer token passes
/// unless its issuer requires DPoP; with <c>Required</c>, only DPoP-bound tokens with a valid proof pass.
/// </summary>
internal sealed class ProofOfPossessionRule : IRouteRule
{
    public const string Key = "Dpop";

    private readonly Check _allowed;
    private readonly Check _required;

    public ProofOfPossessionRule(SenderConstraintGuard guard)
    {
        _allowed = new Check(guard, required: false);
        _required = new Check(guard, required: true);
    }

    public string MetadataKey => Key;

    public IRouteCheck? Default => _allowed;

    public IRouteCheck? Compile(string value, out string? error)
    {
        error = null;
        if (string.Equals(value, "Allowed", StringComparison.OrdinalIgnoreCase))
        {
            return _allowed;
        }

        if (string.Equals(value, "Required", StringComparison.OrdinalIgnoreCase))
        {
            return _required;
        }

        error = $"'{value}' is not Allowed or Required";
        return null;
    }

    private sealed class Check(SenderConstraintGuard guard, bool required) : IRouteCheck
    {
        public RuleStage Stage => RuleStage.Token;

        // The replay guard writes to Redis, but only for DPoP requests, which fail closed on their own; a route's
        // FailureMode=Open still serves bearer tokens on last-known state.
        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context) => guard.JudgeAsync(context, required);
    }
}
