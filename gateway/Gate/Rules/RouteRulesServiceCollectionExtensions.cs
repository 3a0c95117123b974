using Gateway.Gate.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Gate.Rules;

internal static class RouteRulesServiceCollectionExtensions
{
    /// <summary>Registers a per-route rule (as YARP registers its route validators): its key becomes valid route metadata.</summary>
    public static IServiceCollection AddRouteRule<TRule>(this IServiceCollection services)
        where TRule : class, IRouteRule
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRouteRule, TRule>());
        return services;
    }

    /// <summary>The rules that ship with the gateway.</summary>
    public static IServiceCollection AddBuiltInRouteRules(this IServiceCollection services) => services
        .AddRouteRule<MaxTokenAgeRule>()
        .AddRouteRule<RequiredScopesRule>()
        .AddRouteRule<SingleSessionRule>()
        .AddRouteRule<MaxUsesRule>()
        .AddRouteRule<CloseOnRevocationRule>()
        .AddRouteRule<CloseOnExpiryRule>()
        .AddRouteRule<ExpiryGraceRule>()
        .AddRouteRule<NewestTokenWinsRule>()
        .AddRouteRule<SingleSessionPolicyRule>();
}
