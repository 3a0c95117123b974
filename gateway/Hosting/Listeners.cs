using System.Net;
using Gateway.Admin;
using Gateway.Gate.ProofOfPossession;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// Binds the public listener(s) from <c>Urls</c> and the admin listener(s) from <c>Gateway:Admin:Urls</c>, and
/// marks each admin connection so endpoints can tell which listener a request came in on (never the Host header).
/// </summary>
internal static class Listeners
{
    private const string ItemKey = "Gateway.Listener";
    private const string AdminMarker = "admin";
    public const string DefaultPublicUrls = "http://127.0.0.1:8080";

    public static void Configure(IWebHostBuilder webHost, IConfiguration configuration, List<string> errors)
    {
        var publicUrls = Parse(configuration["Urls"] ?? DefaultPublicUrls, "Urls", errors);
        var adminUrls = Parse(configuration[$"{AdminOptions.SectionName}:Urls"] ?? new AdminOptions().Urls, $"{AdminOptions.SectionName}:Urls", errors);
        if (errors.Count > 0)
        {
            return;
        }

        // The addresses above are bound explicitly; clearing "urls" (host setting and app configuration, where an
        // environment variable may have put it) keeps Kestrel from warning that it overrides them.
        webHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        if (configuration is IConfigurationBuilder builder)
        {
            builder.AddInMemoryCollection([new KeyValuePair<string, string?>(WebHostDefaults.ServerUrlsKey, string.Empty)]);
        }
        // RFC 8705: the public https listeners ask for a client certificate (never require one) when certificate-bound
        // tokens are to be checked on the gateway's own TLS. Any certificate is taken: the token's cnf.x5t#S256 binds it.
        var askForCertificate = configuration.GetValue<bool>($"{ClientCertificateOptions.SectionName}:{nameof(ClientCertificateOptions.RequestOnTls)}");
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var address in publicUrls)
            {
                Listen(kestrel, address, admin: false, askForCertificate);
            }

            foreach (var address in adminUrls)
            {
                Listen(kestrel, address, admin: true, askForCertificate: false);
            }
        });
    }

    /// <summary>True when the request arrived on an admin listener.</summary>
    public static bool IsAdmin(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var marker) == true && ReferenceEquals(marker, AdminMarker);

    /// <summary>Marks a connection (its items) as one of the admin listener's.</summary>
    internal static void MarkAdmin(IDictionary<object, object?> connectionItems) => connectionItems[ItemKey] = AdminMarker;

    internal static bool IsLoopbackOnly(string urls)
    {
        var errors = new List<string>();
        var parsed = Parse(urls, "", errors);
        return errors.Count == 0 && parsed.All(a => a.Host == "localhost" || (IPAddress.TryParse(a.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
    }

    private static void Listen(KestrelServerOptions kestrel, BindingAddress address, bool admin, bool askForCertificate)
    {
        void Setup(ListenOptions listen)
        {
            if (string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase))
            {
                listen.UseHttps(https =>
                {
                    if (askForCertificate)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                        https.AllowAnyClientCertificate();
                    }
                });
            }

            if (admin)
            {
                listen.Use(next => connection =>
                {
                    MarkAdmin(connection.Items);
                    return next(connection);
                });
            }
        }

        var host = address.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(address.Port, Setup);
        }
        else if (IPAddress.TryParse(host, out var ip))
        {
            kestrel.Listen(ip, address.Port, Setup);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Setup);
        }
    }

    private static List<BindingAddress> Parse(string urls, string key, List<string> errors)
    {
        var result = new List<BindingAddress>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                var address = BindingAddress.Parse(url);
                if (address.IsUnixPipe || address.IsNamedPipe || (address.Scheme != "http" && address.Scheme != "https") || address.Port < 0)
                {
                    errors.Add($"{key}: '{url}' is not an http(s)://host:port address");
                    continue;
                }

                result.Add(address);
            }
            catch (FormatException)
            {
                errors.Add($"{key}: '{url}' is not an http(s)://host:port address");
            }
        }

        if (result.Count == 0 && errors.Count == 0)
        {
            errors.Add($"{key}: at least one http(s)://host:port address is required");
        }

        return result;
    }
}
