using Gateway.Telemetry;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

public static partial class AdminEndpoints
{
    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>());
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AdminActions>();
        return services;
    }

    /// <summary>The admin API on the admin listener; every call needs a configured key in <c>X-Api-Key</c>.</summary>
    public static RouteGroupBuilder MapGatewayAdmin(this IEndpointRouteBuilder endpoints)
    {
        var verifier = endpoints.ServiceProvider.GetRequiredService<ApiKeyVerifier>();
        if (!verifier.HasKeys)
        {
            Log.NoKeys(endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints)));
        }

        var group = endpoints.MapGroup("/admin").WithMetadata(AdminEndpointMetadata.Instance);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var keyId = verifier.Verify(http.Request.Headers["X-Api-Key"].Count == 1 ? http.Request.Headers["X-Api-Key"][0] : null);
            if (keyId is null)
            {
                // Slow down guessing; the delay grows with recent failures from the same address.
                await Task.Delay(verifier.RecordFailure(http.Connection.RemoteIpAddress), http.RequestAborted);
                http.RequestServices.GetRequiredService<Telemetry.GatewayMetrics>().AdminCall("authenticate", "unauthorized");
                return Problems.Status(StatusCodes.Status401Unauthorized, "X-Api-Key", "a valid API key is required in the X-Api-Key header");
            }

            http.Items[AdminActions.KeyIdItem] = keyId;
            return await next(context);
        });

        group.MapPost("/revoke/token", (HttpContext http, AdminActions actions) => actions.RevokeTokenAsync(http));
        group.MapPost("/revoke/session", (HttpContext http, AdminActions actions) => actions.RevokeSessionAsync(http));
        group.MapPost("/revoke/user", (HttpContext http, AdminActions actions) => actions.RevokeUserAsync(http));
        group.MapPost("/sessions/activate", (HttpContext http, AdminActions actions) => actions.ActivateSessionAsync(http));
        group.MapPost("/revoke/rule", (HttpContext http, AdminActions actions) => actions.RevokeRuleAsync(http));
        group.MapGet("/revoke/rules", (HttpContext http, AdminActions actions) => actions.ListRulesAsync(http));
        group.MapPost("/introspect", (HttpContext http, AdminActions actions) => actions.IntrospectAsync(http));
        group.MapGet("/users/{sub}", (HttpContext http, string sub, AdminActions actions) => actions.GetUserAsync(http, sub));
        group.MapGet("/users", (HttpContext http, AdminActions actions) => actions.GetUserAsync(http, null));
        group.MapGet("/users/{sub}/sessions", (HttpContext http, string sub, AdminActions actions) => actions.ListSessionsAsync(http, sub));
        group.MapGet("/sessions", (HttpContext http, AdminActions actions) => actions.ListSessionsAsync(http, null));
        group.MapPost("/revoke/sessions-except", (HttpContext http, AdminActions actions) => actions.RevokeSessionsExceptAsync(http));
        group.MapPost("/keys/refresh", (HttpContext http, AdminActions actions) => actions.RefreshKeysAsync(http));
        return group;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.AdminNoKeys, Level = LogLevel.Warning, Message = "No Gateway:Admin:ApiKeys configured: every admin call is refused with 401")]
        public static partial void NoKeys(ILogger logger);
    }
}
