using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Development;

public static class DevelopmentServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayDevelopment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DevelopmentOptions>().Bind(configuration.GetSection(DevelopmentOptions.SectionName));
        services.TryAddSingleton<DevelopmentIssuer>();
        return services;
    }
}
