using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Gate.Connections;

internal static class ConnectionsServiceCollectionExtensions
{
    /// <summary>The registry of guarded open connections and its options (<c>Gateway:Connections</c>).</summary>
    public static IServiceCollection AddGatewayConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConnectionOptions>().Bind(configuration.GetSection(ConnectionOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConnectionOptions>, ConnectionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GuardedConnections>();
        return services;
    }
}
