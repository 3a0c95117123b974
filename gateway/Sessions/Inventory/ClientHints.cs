using System.Net;
using System.Net.Sockets;

namespace Gateway.Sessions.Inventory;

/// <summary>
/// Coarse, deliberately lossy device hints for the inventory: the browser family and OS from <c>User-Agent</c> (never
/// the header itself), and the client's network (IPv4 /24, IPv6 /48), never its address.
/// </summary>
internal static class ClientHints
{
    public const int MaxAgentLength = 40;

    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"), ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"), ("okhttp/", "OkHttp"), ("python-requests/", "Python"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
    ];

    public static string? Agent(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return null;
        }

        var browser = Browsers.FirstOrDefault(b => userAgent.Contains(b.Token, StringComparison.Ordinal)).Name;
        var system = Systems.FirstOrDefault(s => userAgent.Contains(s.Token, StringComparison.Ordinal)).Name;
        var hint = (browser, system) switch
        {
            (null, null) => "other",
            (null, _) => system,
            (_, null) => browser,
            _ => $"{browser} on {system}",
        };
        return hint.Length > MaxAgentLength ? hint[..MaxAgentLength] : hint;
    }

    public static string? Address(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[3] = 0;
            return new IPAddress(bytes) + "/24";
        }

        for (var i = 6; i < bytes.Length; i++)
        {
            bytes[i] = 0;
        }

        return new IPAddress(bytes) + "/48";
    }
}
