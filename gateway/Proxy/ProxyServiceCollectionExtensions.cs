using Gateway.Gate;
using Gateway.Gate.Connections;
using Gateway.Gate.Rules;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>YARP with routes and clusters from the <c>ReverseProxy</c> section (reloaded on change) and the gateway's route policies.</summary>
    public static IServiceCollection AddGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        services.AddBuiltInRouteRules();
        services.AddSingleton<RoutePolicyParser>();
        services.AddSingleton<RoutePolicyCache>();
        services.AddSingleton<TokenGate>();
        services.AddGatewayConnections(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Routing.MatcherPolicy, ListenerMatcherPolicy>());
        services.AddSingleton<IdentityHeaders>();
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<RoutePolicyConfigFilter>()
            .AddTransforms<IdentityHeadersTransformProvider>();
        return services;
    }

    /// <summary>Maps the proxy with the token gate in YARP's pipeline, ahead of load balancing.</summary>
    public static IEndpointConventionBuilder MapGatewayProxy(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<TokenGateMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            // YARP's passive health check awaits every forwarding to look at its outcome (a state-machine box and one
            // more continuation per request), also for a cluster that has it off: only clusters that turn it on go
            // through it. The cluster is the request's snapshot, so a reload that turns it on or off applies at once.
            pipeline.UseWhen(HasPassiveHealthChecks, branch => branch.UseMiddleware<PassiveHealthCheckMiddleware>());
        });

    private static bool HasPassiveHealthChecks(HttpContext context) =>
        context.GetReverseProxyFeature().Cluster.Config.HealthCheck?.Passive?.Enabled == true;
}
