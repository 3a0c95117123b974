namespace Gateway.Sessions.Redis;

/// <summary>
/// The longest any Redis call may hold a request: twice <c>Gateway:Redis:Timeout</c>. StackExchange.Redis applies its
/// timeout only on its heartbeat (about once a second), so a hung Redis would hold a request for up to Timeout + 1 s;
/// the gateway cuts every call at this cap itself. Twice, not once, so that a reply late only because the machine
/// is busy still counts.
/// </summary>
internal static class RedisCallCap
{
    public static TimeSpan For(TimeSpan timeout) => 2 * timeout;

    public static TimeSpan ForMilliseconds(int timeoutMilliseconds) => For(TimeSpan.FromMilliseconds(timeoutMilliseconds));
}
