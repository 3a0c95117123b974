using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Gate.ProofOfPossession;

public static class ProofOfPossessionServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <c>Gateway:Dpop</c>, <c>Gateway:ForwardedHeaders</c> and
    /// <c>Gateway:ClientCertificates</c>, and registers the proof-of-possession components as singletons. The
    /// replay cache defaults to the in-memory one; register another <see cref="IProofReplayCache"/> first to share it.
    /// </summary>
    public static IServiceCollection AddGatewayProofOfPossession(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DpopOptions>().Bind(configuration.GetSection(DpopOptions.SectionName)).ValidateOnStart();
        services.AddOptions<ForwardedHeadersTrustOptions>().Bind(configuration.GetSection(ForwardedHeadersTrustOptions.SectionName)).ValidateOnStart();
        services.AddOptions<ClientCertificateOptions>().Bind(configuration.GetSection(ClientCertificateOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DpopOptions>, DpopOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ForwardedHeadersTrustOptions>, ForwardedHeadersTrustOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClientCertificateOptions>, ClientCertificateOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new DpopProofValidator(sp.GetRequiredService<IOptions<DpopOptions>>().Value));
        services.TryAddSingleton<IProofReplayCache>(sp => new InMemoryProofReplayCache(
            sp.GetRequiredService<IOptions<DpopOptions>>().Value.ReplayCacheSize, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new DpopReplayGuard(sp.GetRequiredService<IProofReplayCache>(), sp.GetRequiredService<IOptions<DpopOptions>>().Value));
        services.TryAddSingleton(sp => new ProofOfPossessionNonces(DpopNonceService.FromOptions(sp.GetRequiredService<IOptions<DpopOptions>>().Value)));
        services.TryAddSingleton(sp => TrustedProxies.Parse(sp.GetRequiredService<IOptions<ForwardedHeadersTrustOptions>>().Value.TrustedProxies));
        services.TryAddSingleton(sp => new ForwardedRequestUri(sp.GetRequiredService<TrustedProxies>()));
        services.TryAddSingleton(sp => new ClientCertificateSource(
            sp.GetRequiredService<IOptions<ClientCertificateOptions>>().Value, sp.GetRequiredService<TrustedProxies>()));
        return services;
    }
}
