using Gateway.Gate.Rules;

namespace Gateway.Gate.Connections;

/// <summary>
/// <c>CloseOnExpiry</c> (true/false, default false): a guarded connection is closed once its token has expired
/// (<c>exp</c> + <c>ExpiryGrace</c>), reason <c>token_expired</c>.
/// </summary>
internal sealed class CloseOnExpiryRule : IRouteRule
{
    public const string Key = "CloseOnExpiry";

    private static readonly ConnectionSetting On = new(p => p with { CloseOnExpiry = true });
    private static readonly ConnectionSetting Off = new(p => p with { CloseOnExpiry = false });

    public string MetadataKey => Key;

    public IRouteCheck? Compile(string value, out string? error)
    {
        if (!RuleValues.TryParseFlag(value, out var on, out error))
        {
            return null;
        }

        return on ? On : Off;
    }
}
