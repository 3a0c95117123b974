using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>Ready when Redis answers a PING within the configured timeout.</summary>
internal sealed class RedisSessionStoreHealth(IConnectionMultiplexer redis) : ISessionStoreHealth
{
    public async ValueTask<SessionStoreHealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return new SessionStoreHealthReport("redis", false, "not connected");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync();
            return new SessionStoreHealthReport("redis", true, $"ping {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new SessionStoreHealthReport("redis", false, ex.GetType().Name);
        }
    }
}
