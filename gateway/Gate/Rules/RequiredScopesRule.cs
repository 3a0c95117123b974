using Gateway.Gate.Refusals;

namespace Gateway.Gate.Rules;

/// <summary>
/// <c>RequiredScopes</c> (space-separated): every one must be granted by the token's <c>scope</c> or <c>scp</c>;
/// otherwise 403 <c>insufficient_scope</c> naming the required scopes (RFC 6750 §3.1).
/// </summary>
internal sealed class RequiredScopesRule : IRouteRule
{
    public const string Key = "RequiredScopes";

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        var scopes = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0)
        {
            error = "is empty: list one or more space-separated scopes, or remove the key";
            return null;
        }

        // RFC 6749 §3.3 scope-token: printable ASCII except space, '"' and '\'.
        if (scopes.Any(s => s.AsSpan().ContainsAnyExceptInRange('!', '~') || s.Contains('"') || s.Contains('\\')))
        {
            error = $"'{value}' is not a list of RFC 6749 scope tokens (printable ASCII, no quote or backslash)";
            return null;
        }

        error = null;
        var required = scopes.Distinct(StringComparer.Ordinal).ToArray();
        return new Check(required, Refusal.Scope(string.Join(' ', required)));
    }

    private sealed class Check(string[] required, Refusal refusal) : IRouteCheck
    {
        public RuleStage Stage => RuleStage.Token;

        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context)
        {
            var granted = context.Token.Scopes;
            foreach (var scope in required)
            {
                if (Array.IndexOf(granted, scope) < 0)
                {
                    return new(refusal);
                }
            }

            return new((Refusal?)null);
        }
    }
}
