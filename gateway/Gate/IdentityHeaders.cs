using System.Net.Http.Headers;
using Gateway.Proxy;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Gate;

/// <summary>
/// Strips client-sent identity headers (on every route) and sets them from a verified token, on the request YARP
/// sends to the backend (<see cref="IdentityHeadersTransform"/>). A header is stripped when its name matches a
/// configured identity header in any letter case with <c>_</c> and <c>-</c> treated alike: backends that fold names
/// to CGI style (WSGI, CGI, PHP, Rack) would otherwise read <c>X_Auth_Subject: admin</c> as the gateway's
/// <c>X-Auth-Subject</c>.
/// </summary>
internal sealed class IdentityHeaders
{
    private readonly string? _subject;
    private readonly string? _session;
    private readonly string? _tokenId;
    private readonly string? _issuer;
    private readonly string? _client;
    private readonly string? _scopes;
    private readonly string[] _all;

    public IdentityHeaders(IOptions<ProxyOptions> options)
    {
        var o = options.Value.IdentityHeaders;
        _subject = NullIfEmpty(o.Subject);
        _session = NullIfEmpty(o.Session);
        _tokenId = NullIfEmpty(o.TokenId);
        _issuer = NullIfEmpty(o.Issuer);
        _client = NullIfEmpty(o.Client);
        _scopes = NullIfEmpty(o.Scopes);
        _all = o.All.Select(h => NullIfEmpty(h.Name)).OfType<string>().ToArray();
    }

    /// <summary>Removes every header that folds to an identity header from the outgoing request.</summary>
    public void Strip(HttpRequestMessage request)
    {
        if (_all.Length == 0)
        {
            return;
        }

        StripFrom(request.Headers);
        if (request.Content is { } content)
        {
            StripFrom(content.Headers);
        }
    }

    /// <summary>Removes them from the incoming request: for a route whose transforms copy headers from it themselves.</summary>
    public void Strip(IHeaderDictionary headers)
    {
        if (_all.Length == 0)
        {
            return;
        }

        // Enumerate the pairs, not Keys: Kestrel builds a new set of every name for Keys on each call.
        List<string>? doomed = null;
        foreach (var pair in headers)
        {
            if (IsIdentity(pair.Key))
            {
                (doomed ??= []).Add(pair.Key);
            }
        }

        if (doomed is not null)
        {
            foreach (var name in doomed)
            {
                headers.Remove(name);
            }
        }
    }

    /// <summary>Adds the identity headers of <paramref name="token"/> (after <see cref="Strip(HttpRequestMessage)"/>).</summary>
    public void Set(HttpRequestHeaders headers, VerifiedToken token)
    {
        // Every value is printable ASCII (ClaimIds, scope tokens, the validated issuer): no validation needed here.
        if (_subject is not null)
        {
            headers.TryAddWithoutValidation(_subject, token.Subject);
        }

        if (_session is not null && token.SessionId is not null)
        {
            headers.TryAddWithoutValidation(_session, token.SessionId);
        }

        if (_tokenId is not null && token.TokenId is not null)
        {
            headers.TryAddWithoutValidation(_tokenId, token.TokenId);
        }

        if (_issuer is not null)
        {
            headers.TryAddWithoutValidation(_issuer, token.Issuer);
        }

        if (_client is not null && token.ClientId is not null)
        {
            headers.TryAddWithoutValidation(_client, token.ClientId);
        }

        if (_scopes is not null && token.Scopes.Length > 0)
        {
            headers.TryAddWithoutValidation(_scopes, token.JoinedScopes);
        }
    }

    // NonValidated: a struct enumerator over the stored entries, with no parsing of values.
    private void StripFrom(HttpHeaders headers)
    {
        List<string>? doomed = null;
        foreach (var pair in headers.NonValidated)
        {
            if (IsIdentity(pair.Key))
            {
                (doomed ??= []).Add(pair.Key);
            }
        }

        if (doomed is not null)
        {
            foreach (var name in doomed)
            {
                headers.Remove(name);
            }
        }
    }

    private bool IsIdentity(string name)
    {
        foreach (var identity in _all)
        {
            if (SameFolded(name, identity))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Equal when letter case is ignored and '_' counts as '-' (how CGI-style backends fold names).</summary>
    internal static bool SameFolded(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i] == '_' ? '-' : char.ToLowerInvariant(a[i]);
            var y = b[i] == '_' ? '-' : char.ToLowerInvariant(b[i]);
            if (x != y)
            {
                return false;
            }
        }

        return true;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
