using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>Ready when Redis answers a PING within the configured timeout and the revocation subscription is live.</summary>
internal sealed class RedisSessionStoreHealth(IConnectionMultiplexer redis, RevocationSubscriber subscriber) : ISessionStoreHealth
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
            return subscriber.IsSubscribed
                ? new SessionStoreHealthReport("redis", true, $"ping {latency.TotalMilliseconds:0.0} ms, subscribed")
                : new SessionStoreHealthReport("redis", false, $"ping {latency.TotalMilliseconds:0.0} ms, not subscribed to revocation events");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new SessionStoreHealthReport("redis", false, ex.GetType().Name);
        }
    }
}
