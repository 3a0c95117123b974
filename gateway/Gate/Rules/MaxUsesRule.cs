using System.Globalization;
using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>MaxUses</c> (count): one <c>jti</c> passes this route at most this many times; every route counts on its own.
/// Counted in the store, so the route always fails closed when the store is unreachable.
/// </summary>
internal sealed class MaxUsesRule : IRouteRule
{
    public const string Key = "MaxUses";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var uses) && uses > 0)
        {
            error = null;
            return new Check(uses);
        }

        error = $"'{value}' is not a positive whole number";
        return null;
    }

    private sealed class Check(int maxUses) : IRouteCheck
    {
        private static readonly Refusal NoTokenId = Refusal.Of(Reasons.MissingClaim);
        private static readonly Refusal LimitReached = Refusal.Of(Reasons.UseLimitReached);

        public RuleStage Stage => RuleStage.Session;

        public bool NeedsLiveStore => true;

        public async ValueTask<Refusal?> JudgeAsync(RuleContext context)
        {
            var token = context.Token;
            if (token.TokenId is null)
            {
                return NoTokenId;
            }

            var uses = await context.Store.IncrementUsesAsync(token.User, context.RouteId, token.TokenId, token.ExpiresAt, context.Cancel);
            return uses > maxUses ? LimitReached : null;
        }
    }
}
