using System.Net;

namespace Gateway.Testing;

/// <summary>
/// One user agent at the <see cref="OidcProvider"/>: a cookie jar (the provider's session cookie lives here, which
/// RP-initiated logout needs later) and a client that follows no redirects, so each hop can be inspected.
/// </summary>
public sealed class OidcBrowser : IDisposable
{
    public OidcBrowser(Uri issuer, string clientId)
    {
        ClientId = clientId;
        Client = new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            UseCookies = true,
            AllowAutoRedirect = false,
            UseProxy = false,
        })
        {
            BaseAddress = issuer,
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public string ClientId { get; }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Client { get; }

    public void Dispose() => Client.Dispose();
}
