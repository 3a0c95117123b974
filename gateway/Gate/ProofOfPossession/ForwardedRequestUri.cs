using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The URI the client addressed, as a DPoP <c>htu</c> is compared with: <c>scheme://host[:port]/path</c>, normalised
/// by <see cref="DpopHtu.Normalize"/>, no query or fragment. Scheme and host come from <c>Forwarded</c> (RFC 7239),
/// else <c>X-Forwarded-Proto</c> / <c>X-Forwarded-Host</c>, only when the immediate peer is a trusted proxy; the
/// rightmost value counts, the one that proxy wrote (earlier ones are whatever its client claimed). Otherwise, and
/// for a value that is not a plain scheme or host, the request's own scheme and <c>Host</c> count.
/// </summary>
internal sealed class ForwardedRequestUri
{
    private static readonly SearchValues<char> HostChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:[]!$&'()*+,;=");

    private readonly TrustedProxies _proxies;

    public ForwardedRequestUri(TrustedProxies proxies)
    {
        _proxies = proxies;
    }

    /// <summary>True when the request came straight from a trusted proxy, whose forwarding headers count.</summary>
    public bool IsFromTrustedProxy(HttpContext context) => _proxies.IsTrusted(context.Connection.RemoteIpAddress);

    /// <summary>The normalised request URI; null when no valid absolute http(s) URI can be made (the proof then cannot match).</summary>
    public string? Build(HttpRequest request)
    {
        var scheme = request.Scheme;
        var host = request.Host.Value;
        if (IsFromTrustedProxy(request.HttpContext))
        {
            ReadForwarded(request.Headers, ref scheme, ref host);
        }

        if (string.IsNullOrEmpty(host) || !IsScheme(scheme) || !IsHost(host))
        {
            return null;
        }

        var path = request.PathBase.Add(request.Path).ToUriComponent();
        return DpopHtu.Normalize(string.Concat(scheme, "://", host, path.Length == 0 ? "/" : path));
    }

    private static void ReadForwarded(IHeaderDictionary headers, ref string scheme, ref string? host)
    {
        var forwarded = headers["Forwarded"];
        if (!StringValues.IsNullOrEmpty(forwarded))
        {
            // RFC 7239: a proxy appends one element; the last element is the one the trusted peer added.
            var elements = new List<Range>();
            var last = forwarded[^1].AsSpan();
            if (!HeaderParameters.TrySplit(last, ',', elements))
            {
                return;
            }

            var element = last[elements[^1]];
            if (HeaderParameters.TryGet(element, "proto", out var proto) && IsScheme(proto))
            {
                scheme = proto;
            }

            if (HeaderParameters.TryGet(element, "host", out var forwardedHost) && IsHost(forwardedHost))
            {
                host = forwardedHost;
            }

            return;
        }

        if (LastValue(headers["X-Forwarded-Proto"]) is { } xProto && IsScheme(xProto))
        {
            scheme = xProto;
        }

        if (LastValue(headers["X-Forwarded-Host"]) is { } xHost && IsHost(xHost))
        {
            host = xHost;
        }
    }

    private static string? LastValue(StringValues values)
    {
        if (StringValues.IsNullOrEmpty(values))
        {
            return null;
        }

        var last = values[^1] ?? string.Empty;
        var comma = last.LastIndexOf(',');
        var value = (comma < 0 ? last : last[(comma + 1)..]).Trim();
        return value.Length == 0 ? null : value;
    }

    private static bool IsScheme(string? scheme) =>
        string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase) || string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);

    // host[:port] only: no user info, path, query, percent-encoding or whitespace can ride in on a forwarded host.
    private static bool IsHost(string host) => host.Length is > 0 and <= 255 && host.AsSpan().IndexOfAnyExcept(HostChars) < 0;
}
