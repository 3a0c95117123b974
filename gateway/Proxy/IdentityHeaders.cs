using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>Strips client-sent identity headers (on every route) and sets them from a verified token.</summary>
internal sealed class IdentityHeaders
{
    private readonly string? _subject;
    private readonly string? _session;
    private readonly string? _tokenId;
    private readonly string? _issuer;
    private readonly string[] _all;

    public IdentityHeaders(IOptions<ProxyOptions> options)
    {
        var o = options.Value.IdentityHeaders;
        _subject = NullIfEmpty(o.Subject);
        _session = NullIfEmpty(o.Session);
        _tokenId = NullIfEmpty(o.TokenId);
        _issuer = NullIfEmpty(o.Issuer);
        _all = new[] { _subject, _session, _tokenId, _issuer }.OfType<string>().ToArray();
    }

    public void Strip(IHeaderDictionary headers)
    {
        foreach (var name in _all)
        {
            headers.Remove(name);
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
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
