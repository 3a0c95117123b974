using Gateway.Admin;
using Gateway.Gate.ProofOfPossession;
using Gateway.Health;
using Gateway.Logout;
using Gateway.OperatorConsole;
using Gateway.Proxy;
using Gateway.Sessions;
using Gateway.Sessions.Rules;
using Gateway.Signals;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Hosting;

/// <summary>Builds the gateway application: one Add/Use/Map call per feature. Tests build it the same way.</summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var configFile = ConfigFileLocator.Locate(args);
        var rest = ConfigFileLocator.Strip(args);
        var builder = WebApplication.CreateBuilder(rest);
        if (configFile is not null)
        {
            builder.Configuration.AddGatewaySources(configFile, builder.Environment.EnvironmentName, rest, reloadOnChange: true);
        }

        configure?.Invoke(builder);

        var errors = new List<string>();
        Listeners.Configure(builder.WebHost, builder.Configuration, errors);
        builder.AddGatewayObservability(errors);
        if (errors.Count > 0)
        {
            // The builder's configuration holds file watchers (inotify instances); release them before failing.
            (builder.Configuration as IDisposable)?.Dispose();
            throw new GatewayConfigurationException(errors);
        }

        // YARP's session affinity pulls in data protection; no key ring is kept on disk for it.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddGatewayTelemetry();
        builder.Services.AddGatewayTokens(builder.Configuration);
        builder.Services.AddGatewaySessions(builder.Configuration);
        builder.Services.AddGatewayRevocationRules(builder.Configuration);
        builder.Services.AddGatewayProofOfPossession(builder.Configuration);
        builder.Services.AddGatewayProxy(builder.Configuration);
        builder.Services.AddGatewayAdmin(builder.Configuration);
        builder.Services.AddGatewayConsole(builder.Configuration);
        builder.Services.AddGatewayBackchannelLogout(builder.Configuration);
        builder.Services.AddGatewaySignals(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);

        var app = builder.Build();
        LeaveOutAspNetAuthorization(app);
        app.UseRouting();
        app.MapGatewayAdmin();
        app.MapGatewayStandardEndpoints();
        app.MapGatewayConsole();
        app.MapGatewayBackchannelLogout();
        app.MapGatewaySignals();
        app.MapGatewayHealth();
        app.MapGatewayMetrics();
        app.MapGatewayProxy();
        return app;
    }

    // The key UseAuthorization() sets on the application builder (ASP.NET Core keeps its constant internal).
    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    /// <summary>
    /// YARP registers ASP.NET authorization (for a route's AuthorizationPolicy, which here is the gateway's own key and
    /// is taken off the route by <c>RoutePolicyConfigFilter</c>), so WebApplication would put its authorization
    /// middleware in front of every request, ahead of <c>UseRouting</c>: there it sees no endpoint and authorizes
    /// nothing, at the cost of an async frame and a policy lookup per request. Marking it as placed leaves it out. An
    /// endpoint with authorization metadata still fails in endpoint routing ("no authorization middleware"), as before.
    /// </summary>
    private static void LeaveOutAspNetAuthorization(WebApplication app) =>
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSetKey] = true;
}

/// <summary>Configuration errors found before the host starts, each naming its key.</summary>
public sealed class GatewayConfigurationException : Exception
{
    public GatewayConfigurationException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public GatewayConfigurationException()
    {
        Errors = [];
    }

    public GatewayConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public GatewayConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}
