namespace Gateway.Sessions;

/// <summary>One session of the user's inventory, as the admin API and the console show it.</summary>
/// <param name="Sid">The session id.</param>
/// <param name="Client">The client it was last seen with, if any.</param>
/// <param name="FirstSeen">Unix seconds (to the inventory's resolution).</param>
/// <param name="LastSeen">Unix seconds (to the inventory's resolution).</param>
/// <param name="NewestIat">The newest token <c>iat</c> seen in this session.</param>
/// <param name="FirstIat">The first token <c>iat</c> seen in this session.</param>
/// <param name="AuthTime">The newest <c>auth_time</c> seen, if any.</param>
/// <param name="Agent">Coarse user-agent hint, if recorded.</param>
/// <param name="Address">Address hint, if recorded.</param>
public sealed record SessionRecord(string Sid, string? Client, long FirstSeen, long LastSeen, long NewestIat, long FirstIat, long? AuthTime, string? Agent, string? Address)
{
    /// <summary>When the session logged in, as the single-session policies judge it: <c>auth_time</c>, else the first <c>iat</c>.</summary>
    public long LoginAt => AuthTime ?? FirstIat;
}
