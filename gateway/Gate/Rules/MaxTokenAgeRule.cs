using System.Globalization;
using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>MaxTokenAge</c> (time span): the user must have authenticated at most this long ago, judged by
/// <c>auth_time</c> alone (a refresh renews <c>iat</c>, not the authentication). Otherwise, or without
/// <c>auth_time</c>, an RFC 9470 step-up challenge.
/// </summary>
internal sealed class MaxTokenAgeRule : IRouteRule
{
    public const string Key = "MaxTokenAge";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var age) && age >= TimeSpan.FromSeconds(1))
        {
            error = null;
            return new Check((long)age.TotalSeconds, Refusal.StepUp(age));
        }

        error = $"'{value}' is not a time span of at least one second, such as 00:05:00";
        return null;
    }

    private sealed class Check(long maxAgeSeconds, Refusal refusal) : IRouteCheck
    {
        public RuleStage Stage => RuleStage.Token;

        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context) =>
            new(context.Token.AuthTime is { } authTime && context.Now - authTime <= maxAgeSeconds ? null : refusal);
    }
}
