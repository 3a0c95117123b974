using Gateway.Proxy;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Gate;

/// <summary>
/// Strips client-sent identity headers (on every route) and sets them from a verified token. A header is stripped
/// when its name matches a configured identity header in any letter case with <c>_</c> and <c>-</c> treated alike:
/// backends that fold names to CGI style (WSGI, CGI, PHP, Rack) would otherwise read <c>X_Auth_Subject: admin</c> as
/// the gateway's <c>X-Auth-Subject</c>.
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
            var name = pair.Key;
            foreach (var identity in _all)
            {
                if (SameFolded(name, identity))
                {
                    (doomed ??= []).Add(name);
                    break;
                }
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

    public void Set(IHeaderDictionary headers, VerifiedToken token)
    {
        if (_subject is not null)
        {
            headers[_subject] = token.Subject;
        }

        if (_session is not null && token.SessionId is not null)
        {
            headers[_session] = token.SessionId;
        }

        if (_tokenId is not null && token.TokenId is not null)
        {
            headers[_tokenId] = token.TokenId;
        }

        if (_issuer is not null)
        {
            headers[_issuer] = token.Issuer;
        }

        if (_client is not null && token.ClientId is not null)
        {
            headers[_client] = token.ClientId;
        }

        if (_scopes is not null && token.Scopes.Length > 0)
        {
            headers[_scopes] = token.JoinedScopes;
        }
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
