using Gateway.Gate.Rules;
using Gateway.Sessions.Redis;
using Gateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Gate.ProofOfPossession;

public static class ProofOfPossessionServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start) <c>Gateway:Dpop</c>, <c>Gateway:ForwardedHeaders</c> and
    /// <c>Gateway:ClientCertificates</c>, registers the proof-of-possession components as singletons and the
    /// <c>Dpop</c> route rule, which puts the check on every protected route. The replay cache is Redis (shared by
    /// every instance, with a local first look) when a Redis connection is registered and <c>ReplayScope</c> is
    /// <c>Shared</c>, else the in-memory one; register another <see cref="IProofReplayCache"/> first to replace it.
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
        services.TryAddSingleton(sp => new InMemoryProofReplayCache(
            sp.GetRequiredService<IOptions<DpopOptions>>().Value.ReplayCacheSize, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IProofReplayCache>(sp =>
            sp.GetRequiredService<IOptions<DpopOptions>>().Value.ReplayScope == DpopReplayScope.Shared && sp.GetService<IConnectionMultiplexer>() is { } redis
                ? new RedisProofReplayCache(redis, sp.GetRequiredService<RedisKeys>(), sp.GetRequiredService<InMemoryProofReplayCache>(),
                    sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<TimeProvider>())
                : sp.GetRequiredService<InMemoryProofReplayCache>());
        services.TryAddSingleton(sp => new DpopReplayGuard(sp.GetRequiredService<IProofReplayCache>(), sp.GetRequiredService<IOptions<DpopOptions>>().Value));
        services.TryAddSingleton(sp => new ProofOfPossessionNonces(DpopNonceService.FromOptions(sp.GetRequiredService<IOptions<DpopOptions>>().Value)));
        services.TryAddSingleton(sp => TrustedProxies.Parse(sp.GetRequiredService<IOptions<ForwardedHeadersTrustOptions>>().Value.TrustedProxies));
        services.TryAddSingleton(sp => new ForwardedRequestUri(sp.GetRequiredService<TrustedProxies>()));
        services.TryAddSingleton(sp => new ClientCertificateSource(
            sp.GetRequiredService<IOptions<ClientCertificateOptions>>().Value, sp.GetRequiredService<TrustedProxies>()));
        services.TryAddSingleton<SenderConstraintGuard>();
        services.AddRouteRule<ProofOfPossessionRule>();
        return services;
    }
}
