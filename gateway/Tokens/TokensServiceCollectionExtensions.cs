using Gateway.Development;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Tokens;

public static class TokensServiceCollectionExtensions
{
    internal const string JwksHttpClientName = "Gateway.Jwks";

    /// <summary>Token verification: options (validated at start-up), issuer key sources, JWKS refresh, the verifier.</summary>
    public static IServiceCollection AddGatewayTokens(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TokenOptions.SectionName);
        services.AddOptions<TokenOptions>()
            .Bind(section)
            .PostConfigure(options => InlineJwksFromObjects(options, section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenOptions>, TokenOptionsValidator>());
        services.AddHttpClient(JwksHttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton(TimeProvider.System);
        services.AddGatewayDevelopment(configuration);
        services.AddSingleton<IssuerRegistry>();
        services.AddSingleton<JwtVerifier>();
        services.AddSingleton<TokenVerifier>();
        services.AddHostedService<JwksRefresher>();
        return services;
    }

    // "Jwks" may be written as the JSON object itself rather than a string; configuration flattens it, so rebuild it.
    private static void InlineJwksFromObjects(TokenOptions options, IConfigurationSection section)
    {
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var jwks = section.GetSection($"Issuers:{i}:Jwks");
            if (string.IsNullOrEmpty(options.Issuers[i].Jwks) && jwks.GetChildren().Any())
            {
                options.Issuers[i].Jwks = ConfigurationJson.Serialize(jwks);
            }
        }
    }
}
