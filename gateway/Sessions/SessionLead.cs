using System.Globalization;

namespace Gateway.Sessions;

/// <summary>
/// The session a single-session policy lets through, and when it logged in (Unix seconds: <c>auth_time</c>, else the
/// first <c>iat</c> seen). Stored as <c>"{loginAt}:{sid}"</c>.
/// </summary>
public readonly record struct SessionLead(string Sid, long LoginAt)
{
    public string Encode() => LoginAt.ToString(CultureInfo.InvariantCulture) + ":" + Sid;

    public static SessionLead? Decode(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            ? new SessionLead(value[(colon + 1)..], at)
            : null;
    }
}
