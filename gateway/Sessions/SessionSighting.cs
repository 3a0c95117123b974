namespace Gateway.Sessions;

/// <summary>One inventory write: a session was seen (at <paramref name="SeenAt"/>, already rounded to the inventory's resolution).</summary>
/// <param name="Sid">The session.</param>
/// <param name="Client"><c>client_id</c>/<c>azp</c>, if any.</param>
/// <param name="SeenAt">Unix seconds, rounded down to <c>Gateway:Sessions:Inventory:Resolution</c>.</param>
/// <param name="IssuedAt">The token's <c>iat</c>.</param>
/// <param name="AuthTime">The token's <c>auth_time</c>, if any.</param>
/// <param name="Agent">Coarse user-agent hint, if enabled.</param>
/// <param name="Address">Address hint (IPv4 /24, IPv6 /48), if enabled.</param>
public sealed record SessionSighting(string Sid, string? Client, long SeenAt, long IssuedAt, long? AuthTime, string? Agent, string? Address);
