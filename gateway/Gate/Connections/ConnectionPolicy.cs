namespace Gateway.Gate.Connections;

/// <summary>
/// How a route's long-lived connections are guarded once forwarded, from route <c>Metadata</c> (see
/// <see cref="CloseOnRevocationRule"/>, <see cref="CloseOnExpiryRule"/>, <see cref="ExpiryGraceRule"/>).
/// </summary>
/// <param name="CloseOnRevocation">
/// Null (unset): WebSocket and server-sent-events requests are guarded and closed on revocation, other requests are not
/// guarded. True: every request on the route is guarded. False: nothing is closed on revocation.
/// </param>
/// <param name="CloseOnExpiry">A guarded connection is closed once its token's <c>exp</c> + <paramref name="ExpiryGrace"/> passes.</param>
/// <param name="ExpiryGrace">How long after <c>exp</c> an expiring connection is closed.</param>
internal sealed record ConnectionPolicy(bool? CloseOnRevocation, bool CloseOnExpiry, TimeSpan ExpiryGrace)
{
    public static ConnectionPolicy Default { get; } = new(null, false, TimeSpan.FromSeconds(30));

    /// <summary>Nothing on this route is ever closed: no request needs registering.</summary>
    public bool GuardsNothing => CloseOnRevocation == false && !CloseOnExpiry;
}
