using Gateway.Sessions.Embedded;
using Gateway.Sessions.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

public static class SessionsServiceCollectionExtensions
{
    /// <summary>
    /// Session state: Redis when <c>Gateway:Redis:Configuration</c> is set, else the embedded store, kept in the journal
    /// at <c>Gateway:Embedded:Path</c>.
    /// </summary>
    public static IServiceCollection AddGatewaySessions(this IServiceCollection services, IConfiguration configuration)
    {
        // FailureMode, MaxStaleness and LocalCacheSize first lived under Gateway:Redis: still read from there, and the
        // Gateway:Sessions value wins when both are set.
        services.AddOptions<SessionOptions>()
            .Bind(configuration.GetSection(SessionOptions.LegacySectionName))
            .Bind(configuration.GetSection(SessionOptions.SectionName))
            .ValidateOnStart();
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DenylistLifetime>();
        services.AddSingleton<RateSpikeDetector>();
        services.AddSingleton<SessionGuard>();
        services.AddSingleton<RevocationNotifier>();
        services.AddSingleton<Inventory.SessionInventory>();
        services.AddHostedService(sp => sp.GetRequiredService<Inventory.SessionInventory>());

        var redis = configuration[$"{RedisOptions.SectionName}:Configuration"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddOptions<EmbeddedOptions>().Bind(configuration.GetSection(EmbeddedOptions.SectionName)).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedOptions>, EmbeddedOptionsValidator>());
            services.AddSingleton(sp => EmbeddedJournalFactory.Open(
                sp.GetRequiredService<IOptions<EmbeddedOptions>>(),
                sp.GetRequiredService<IHostEnvironment>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>()));
            services.AddSingleton(sp => new EmbeddedSessionStore(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<DenylistLifetime>(),
                sp.GetRequiredService<RevocationNotifier>(),
                sp.GetRequiredService<EmbeddedJournal>()));
            services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<EmbeddedSessionStore>());
            services.AddSingleton<ISessionStoreHealth, EmbeddedSessionStoreHealth>();
            services.AddHostedService<EmbeddedAnnouncement>();
        }
        else
        {
            services.AddRedisSessionStore();
        }

        return services;
    }

}
