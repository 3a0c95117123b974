using Gateway.Gate.Rules;

namespace Gateway.Gate.Connections;

/// <summary>
/// <c>CloseOnRevocation</c> (true/false): whether the route's open connections are closed when their token, session or
/// user is revoked. Unset: WebSockets and server-sent-event streams are; true: every request on the route is guarded
/// (long polls, downloads); false: none is.
/// </summary>
internal sealed class CloseOnRevocationRule : IRouteRule
{
    public const string Key = "CloseOnRevocation";

    private static readonly ConnectionSetting On = new(p => p with { CloseOnRevocation = true });
    private static readonly ConnectionSetting Off = new(p => p with { CloseOnRevocation = false });

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
