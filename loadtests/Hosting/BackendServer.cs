using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LoadTests.Hosting;

/// <summary>
/// A fast Kestrel echo backend: GET answers <c>GET /path</c> plus the identity headers it got; POST echoes the body.
/// Cheap on purpose, so the backend is never what a comparison measures.
/// </summary>
internal static class BackendServer
{
    public static WebApplication Build(string urls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var app = builder.Build();
        app.Run(EchoAsync);
        return app;
    }

    private static async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.ContentType = "text/plain";
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            var line = $"{request.Method} {request.Path}{request.QueryString}\n";
            var body = Encoding.UTF8.GetBytes(line);
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted);
            return;
        }

        if (request.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        await request.Body.CopyToAsync(response.Body, context.RequestAborted);
    }
}
