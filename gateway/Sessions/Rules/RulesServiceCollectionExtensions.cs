using Gateway.Sessions.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Sessions.Rules;

public static class RulesServiceCollectionExtensions
{
    /// <summary>Revocation rules: in Redis when <c>Gateway:Redis:Configuration</c> is set, else in memory.</summary>
    public static IServiceCollection AddGatewayRevocationRules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RuleOptions>().Bind(configuration.GetSection(RuleOptions.SectionName))
            .Validate(o => o.ReconcileInterval >= TimeSpan.FromSeconds(1) && o.ReconcileInterval <= TimeSpan.FromHours(1),
                $"{RuleOptions.SectionName}:ReconcileInterval: must be between 00:00:01 and 01:00:00")
            .ValidateOnStart();
        services.AddSingleton<RevocationRules>();
        if (string.IsNullOrWhiteSpace(configuration[$"{RedisOptions.SectionName}:Configuration"]))
        {
            services.AddSingleton<IRuleStore, EmbeddedRuleStore>();
        }
        else
        {
            services.AddSingleton<IRuleStore, RedisRuleStore>();
        }

        services.AddSingleton<RuleSync>();
        services.AddHostedService(sp => sp.GetRequiredService<RuleSync>());
        return services;
    }
}
