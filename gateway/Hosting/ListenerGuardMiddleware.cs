using Microsoft.AspNetCore.Http;

namespace Gateway.Hosting;

/// <summary>Marks endpoints that belong to the admin listener.</summary>
public sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();
}

/// <summary>Marks endpoints served on both listeners (health).</summary>
public sealed class AnyListenerEndpointMetadata
{
    public static readonly AnyListenerEndpointMetadata Instance = new();
}

/// <summary>
/// Keeps the two listeners apart: admin endpoints answer only on the admin listener, and the admin listener
/// serves nothing else (no proxying). Runs after routing, so it sees the matched endpoint.
/// </summary>
internal sealed class ListenerGuardMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AnyListenerEndpointMetadata>() is not null)
        {
            return next(context);
        }

        var adminEndpoint = endpoint?.Metadata.GetMetadata<AdminEndpointMetadata>() is not null;
        if (adminEndpoint != Listeners.IsAdmin(context))
        {
            context.SetEndpoint(null);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
