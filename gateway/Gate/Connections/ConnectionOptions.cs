namespace Gateway.Gate.Connections;

/// <summary>Guarded open connections, section <c>Gateway:Connections</c>.</summary>
public sealed class ConnectionOptions
{
    public const string SectionName = "Gateway:Connections";

    /// <summary>
    /// Open connections guarded at once on this instance, at most (bounded memory). Past it a new WebSocket or stream is
    /// refused with <c>503</c> (reason <c>too_many_connections</c>) rather than forwarded unguarded. Default 10000.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// How long a connection outlives the revocation of its token alone (a <c>jti</c>): a refresh revokes the previous
    /// token, and the client gets this long to move its stream to the new one. Session, user, client and data-loss
    /// revocations close at once. Default 10 s; 0 closes at once.
    /// </summary>
    public TimeSpan TokenRevocationGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An open connection is judged again at least this often even when no event names its user (events are delivered
    /// at most once; a revocation written to Redis by something that published nothing is found this way). Default 60 s,
    /// as <c>Gateway:Sessions:MaxStaleness</c> bounds cached state for requests.
    /// </summary>
    public TimeSpan RejudgeInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After sending a WebSocket close frame, how long the gateway waits for the client's close frame (or a frame
    /// boundary in the stream it is copying) before it drops the connection anyway. Default 2 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
