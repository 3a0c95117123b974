using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

internal static class RedisServiceCollectionExtensions
{
    /// <summary>One shared multiplexer; connects in the background and never aborts start-up (readiness tells).</summary>
    public static IServiceCollection AddRedisSessionStore(this IServiceCollection services)
    {
        services.AddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix));
        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var config = ConfigurationOptions.Parse(options.Configuration!);
            config.AbortOnConnectFail = false;
            config.AsyncTimeout = (int)options.Timeout.TotalMilliseconds;
            config.SyncTimeout = (int)options.Timeout.TotalMilliseconds;
            config.ConnectTimeout = Math.Max(config.ConnectTimeout, 1000);
            // Fail fast while disconnected: a request gets a clear 503 instead of waiting in a backlog.
            config.BacklogPolicy = BacklogPolicy.FailFast;
            config.ClientName ??= "gateway";
            return ConnectionMultiplexer.Connect(config);
        });
        services.AddSingleton<ISessionStoreHealth, RedisSessionStoreHealth>();
        services.AddSingleton<RedisSessionStore>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SessionOptions>>().Value;
            return new SessionStateCache(sp.GetRequiredService<TimeProvider>(), options.MaxStaleness, options.LocalCacheSize);
        });
        services.AddSingleton<ClusterMasterTags>();
        services.AddSingleton<StoreEpoch>();
        services.AddSingleton<RevocationSubscriber>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationSubscriber>());
        services.AddSingleton(sp =>
        {
            var replica = new DenylistReplica(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<SessionOptions>>().Value.DenylistReplicaSize);
            sp.GetRequiredService<Telemetry.GatewayMetrics>().ObserveDenylistReplica(replica);
            return replica;
        });
        services.AddSingleton(sp => new CachingSessionStore(sp.GetRequiredService<RedisSessionStore>(), sp.GetRequiredService<SessionStateCache>(),
            sp.GetRequiredService<DenylistReplica>(), sp.GetRequiredService<DenylistLifetime>(), sp.GetRequiredService<StoreEpoch>(),
            sp.GetRequiredService<Telemetry.GatewayMetrics>(), sp.GetRequiredService<RevocationNotifier>(), sp.GetRequiredService<IOptions<SessionOptions>>()));
        services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<CachingSessionStore>());
        services.AddHostedService<RateSpikeFlusher>();
        return services;
    }
}
