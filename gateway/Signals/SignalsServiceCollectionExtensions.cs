using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Signals;

public static class SignalsServiceCollectionExtensions
{
    /// <summary>The Shared Signals receiver: push endpoint, poller, SET verification and event mapping.</summary>
    public static IServiceCollection AddGatewaySignals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignalsOptions>().Bind(configuration.GetSection(SignalsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SignalsOptions>, SignalsOptionsValidator>());
        services.AddHttpClient(SignalPoller.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<SetVerifier>();
        services.AddSingleton<SignalProcessor>();
        services.AddHostedService<SignalPoller>();
        services.AddHostedService<TransmitterKeyRefresher>();
        return services;
    }
}
