using Gateway.Hosting;
using Gateway.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Admin;

/// <summary>
/// The standard token endpoints on the admin listener: RFC 7009 revocation (<c>POST /oauth2/revoke</c>) and RFC 7662
/// introspection (<c>POST /oauth2/introspect</c>). Form-encoded bodies of at most 16 KiB; the client authenticates
/// with an admin API key (<see cref="ClientAuthentication"/>). The decisions are the JSON admin API's
/// (<see cref="AdminActions"/>), so both always agree.
/// </summary>
public static class StandardEndpoints
{
    public const string RevokePath = "/oauth2/revoke";
    public const string IntrospectPath = "/oauth2/introspect";
    internal const int MaxFormSize = 16 * 1024;

    public static IEndpointRouteBuilder MapGatewayStandardEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(RevokePath, (HttpContext http, AdminActions actions, ApiKeyVerifier verifier) =>
            HandleAsync(http, verifier, "oauth2_revoke", (keyId, token) => actions.StandardRevokeAsync(http, keyId, token)))
            .WithMetadata(AdminEndpointMetadata.Instance).DisableAntiforgery();
        endpoints.MapPost(IntrospectPath, (HttpContext http, AdminActions actions, ApiKeyVerifier verifier) =>
            HandleAsync(http, verifier, "oauth2_introspect", (keyId, token) => actions.StandardIntrospectAsync(http, keyId, token)))
            .WithMetadata(AdminEndpointMetadata.Instance).DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, ApiKeyVerifier verifier, string action, Func<string, string, Task<IResult>> handler)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        var metrics = http.RequestServices.GetRequiredService<GatewayMetrics>();
        var keyId = ClientAuthentication.Authenticate(http.Request, verifier);
        if (keyId is null)
        {
            await Task.Delay(verifier.RecordFailure(http.Connection.RemoteIpAddress), http.RequestAborted);
            metrics.AdminCall("authenticate", "unauthorized");
            http.Response.Headers.WWWAuthenticate = ClientAuthentication.Challenges;
            return Error(StatusCodes.Status401Unauthorized, "invalid_client",
                "client authentication failed: present an admin API key as HTTP Basic (client secret) or as Authorization: Bearer");
        }

        var (form, formError, tooLarge) = await FormBody.ReadAsync(http, MaxFormSize);
        if (form is null)
        {
            metrics.AdminCall(action, "bad_request");
            return Error(tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, "invalid_request", formError!);
        }

        if (!form.TryGetSingle("token", out var token) || !form.TryGetSingle("token_type_hint", out _))
        {
            metrics.AdminCall(action, "bad_request");
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "token and token_type_hint may each be given once");
        }

        if (string.IsNullOrEmpty(token))
        {
            metrics.AdminCall(action, "bad_request");
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "the token parameter is required");
        }

        // token_type_hint is only a hint (RFC 7009 §2.1): the gateway knows one kind of token, its access tokens.
        return await handler(keyId, token);
    }

    /// <summary>An RFC 6749 §5.2 error body.</summary>
    internal static IResult Error(int status, string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
