using Gateway.Sessions.Embedded;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

public static partial class SessionsServiceCollectionExtensions
{
    /// <summary>
    /// Session state: Redis when <c>Gateway:Redis:Configuration</c> is set, else the embedded store, kept in the journal
    /// at <c>Gateway:Embedded:Path</c>.
    /// </summary>
    public static IServiceCollection AddGatewaySessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.SectionName)).ValidateOnStart();
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RateSpikeDetector>();
        services.AddSingleton<SessionGuard>();

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
            services.AddSingleton(sp => new InProcessSessionStore(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<Tokens.TokenOptions>>(),
                sp.GetRequiredService<EmbeddedJournal>()));
            services.AddSingleton<ISessionStore>(sp => sp.GetRequiredService<InProcessSessionStore>());
            services.AddSingleton<ISessionStoreHealth, InProcessSessionStoreHealth>();
            services.AddHostedService<InProcessAnnouncement>();
        }
        else
        {
            services.AddRedisSessionStore();
        }

        return services;
    }

    /// <summary>Opens the journal (a bad one fails start-up here, naming the key) and says where the state is kept.</summary>
    private sealed partial class InProcessAnnouncement(InProcessSessionStore store, IOptions<EmbeddedOptions> options, ILogger<InProcessSessionStore> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var journal = store.Journal!;
            Log.InProcess(logger, journal.FilePath, options.Value.Durability, journal.LiveCount, journal.ReplayDuration.TotalMilliseconds);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "No Gateway:Redis:Configuration: using the embedded session store, kept in {Path} (Gateway:Embedded:Path, durability {Durability}); {Records} records restored in {Milliseconds:F1} ms. One instance only: its revocations are not shared with other instances")]
        public static partial void InProcess(ILogger logger, string path, JournalDurability durability, int records, double milliseconds);
    }
}
