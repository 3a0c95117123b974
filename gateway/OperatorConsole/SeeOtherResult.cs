using Microsoft.AspNetCore.Http;

namespace Gateway.OperatorConsole;

/// <summary>303 See Other: after a form POST, the browser GETs the next page (no re-submission on reload).</summary>
internal sealed class SeeOtherResult(string location) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
