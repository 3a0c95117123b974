using Gateway.Admin;
using Gateway.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Gateway.Health;

/// <summary>
/// <c>dotnet Gateway.dll healthcheck [--ready] [--url URL]</c>: exits 0 when the running gateway's <c>/healthz</c>
/// (or <c>/readyz</c>) answers 2xx, else 1. For container HEALTHCHECKs: the aspnet image has no curl. The URL defaults
/// to the first <c>Gateway:Admin:Urls</c> address, a wildcard host replaced by loopback.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var configuration = GatewayConfiguration.ForTool(args);
        var rest = ConfigFileLocator.Strip(args);
        var path = rest.Contains("--ready", StringComparer.Ordinal) ? HealthServiceCollectionExtensions.ReadyPath : HealthServiceCollectionExtensions.LivePath;
        var urlIndex = Array.IndexOf(rest, "--url");
        var url = urlIndex >= 0 && urlIndex + 1 < rest.Length
            ? rest[urlIndex + 1]
            : DefaultUrl(configuration[$"{AdminOptions.SectionName}:Urls"] ?? new AdminOptions().Urls, path);
        if (url is null)
        {
            await error.WriteLineAsync($"healthcheck: {AdminOptions.SectionName}:Urls holds no http(s)://host:port address");
            return 1;
        }

        try
        {
            using var client = new HttpClient { Timeout = Timeout };
            using var response = await client.GetAsync(new Uri(url));
            await output.WriteLineAsync($"healthcheck: {url} answered {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await error.WriteLineAsync($"healthcheck: {url} failed: {ex.GetType().Name}");
            return 1;
        }
    }

    internal static string? DefaultUrl(string adminUrls, string path)
    {
        foreach (var url in adminUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue;
            }

            if (address.Port <= 0 || address.IsUnixPipe || address.IsNamedPipe)
            {
                continue;
            }

            var host = address.Host switch
            {
                "*" or "+" or "0.0.0.0" => "127.0.0.1",
                "[::]" or "::" => "[::1]",
                var other => other,
            };
            return $"{address.Scheme}://{host}:{address.Port}{path}";
        }

        return null;
    }
}
