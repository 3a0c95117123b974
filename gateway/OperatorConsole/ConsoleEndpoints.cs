using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.OperatorConsole;

/// <summary>
/// The operator console at <c>/console</c> on the admin listener: server-rendered pages, one script and one stylesheet
/// of its own, a strict Content-Security-Policy, a server-side session behind an opaque cookie, and a synchronizer
/// CSRF token in every form.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>The Content-Security-Policy of every console response.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddGatewayConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsoleHandlers>();
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayConsole(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<ConsoleOptions>>().Value.Enabled)
        {
            return endpoints;
        }

        var root = endpoints.MapGroup(ConsolePages.Base).WithMetadata(AdminEndpointMetadata.Instance);
        root.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers.CacheControl = "no-store";
            return await next(context);
        });

        root.MapGet("/console.js", () => Results.Text(ConsoleAssets.Script, "text/javascript; charset=utf-8"));
        root.MapGet("/console.css", () => Results.Text(ConsoleAssets.Style, "text/css; charset=utf-8"));
        root.MapGet("/favicon.svg", () => Results.Text(ConsoleAssets.Icon, "image/svg+xml"));
        root.MapGet("", (HttpContext http, ConsoleHandlers h) => h.Home(http));
        root.MapPost("/sign-in", (HttpContext http, ConsoleHandlers h) => h.SignInAsync(http));

        // Everything else needs a signed-in session; every POST also its CSRF token.
        var signedIn = root.MapGroup("");
        signedIn.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var handlers = http.RequestServices.GetRequiredService<ConsoleHandlers>();
            if (handlers.SessionOf(http) is not { } session)
            {
                return HttpMethods.IsGet(http.Request.Method) ? new SeeOtherResult(ConsolePages.Base) : Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            if (HttpMethods.IsPost(http.Request.Method) &&
                (await handlers.ReadFormAsync(http) is not { } form || !ConsoleSessions.SameToken(form["csrf"].ToString(), session.Csrf)))
            {
                return Results.Text("The form's CSRF token is missing or wrong; reload the page.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
            }

            http.Items[ConsoleHandlers.SessionItem] = session;
            return await next(context);
        });
        signedIn.MapPost("/sign-out", (HttpContext http, ConsoleHandlers h) => h.SignOutAsync(http));
        signedIn.MapGet("/user", (HttpContext http, ConsoleHandlers h) => h.UserAsync(http));
        signedIn.MapPost("/revoke", (HttpContext http, ConsoleHandlers h) => h.RevokeAsync(http));
        signedIn.MapGet("/inspect", (HttpContext http, ConsoleHandlers h) => h.InspectForm(http));
        signedIn.MapPost("/inspect", (HttpContext http, ConsoleHandlers h) => h.InspectAsync(http));
        signedIn.MapGet("/refusals", (HttpContext http, ConsoleHandlers h) => h.Refusals(http));
        signedIn.MapGet("/health", (HttpContext http, ConsoleHandlers h) => h.HealthAsync(http));
        signedIn.MapGet("/audit", (HttpContext http, ConsoleHandlers h) => h.Audit(http));
        return endpoints;
    }
}
