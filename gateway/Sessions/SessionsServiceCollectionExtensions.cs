using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

public static partial class SessionsServiceCollectionExtensions
{
    /// <summary>Session state: Redis when <c>Gateway:Redis:Configuration</c> is set, else the in-process store.</summary>
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
            services.AddSingleton<InProcessSessionStore>();
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

    private sealed partial class InProcessAnnouncement(ILogger<InProcessSessionStore> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.InProcess(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "No Gateway:Redis:Configuration: using the in-process session store. Revocations live in this process only: lost on restart and not shared with other instances")]
        public static partial void InProcess(ILogger logger);
    }
}
