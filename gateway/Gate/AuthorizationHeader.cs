using Microsoft.AspNetCore.Http;

namespace Gateway.Gate;

/// <summary>
/// Reads the access token from the <c>Authorization</c> header, strictly: the <c>Bearer</c> scheme (RFC 6750 §2.1) and
/// the <c>DPoP</c> scheme (RFC 9449 §7.1), both matched case-insensitively, with the same token syntax.
/// </summary>
internal static class AuthorizationHeader
{
    /// <summary>The <c>DPoP</c> request header that carries the proof (RFC 9449 §4.1).</summary>
    public const string DpopHeader = "DPoP";

    /// <summary>The token of a single <c>Bearer</c> Authorization header (scheme case-insensitive), else null.</summary>
    public static string? ReadBearer(IHeaderDictionary headers, out bool present) =>
        ReadBearerMemory(headers, out present) is { } token ? token.ToString() : null;

    /// <summary>As <see cref="ReadBearer"/>, as a slice of the header value: the hot path allocates no token string.</summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="present">A bearer credential was sent, well-formed or not (false: none, or another scheme, DPoP included).</param>
    public static ReadOnlyMemory<char>? ReadBearerMemory(IHeaderDictionary headers, out bool present)
    {
        var token = Read(headers, out var scheme, out present);
        if (scheme == AuthorizationScheme.Bearer)
        {
            return token;
        }

        present = false;
        return null;
    }

    /// <summary>
    /// The token of a single <c>Bearer</c> or <c>DPoP</c> Authorization header, as a slice of the header value, and its
    /// scheme; null when there is none or it is malformed.
    /// </summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="scheme">The scheme read (<see cref="AuthorizationScheme.None"/>: no header, or another scheme).</param>
    /// <param name="present">A Bearer or DPoP credential was sent, well-formed or not (several Authorization headers count as one, malformed).</param>
    public static ReadOnlyMemory<char>? Read(IHeaderDictionary headers, out AuthorizationScheme scheme, out bool present)
    {
        var values = headers.Authorization;
        present = false;
        scheme = AuthorizationScheme.None;
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            // Which one counts is unknowable: malformed, whatever their schemes.
            present = true;
            scheme = AuthorizationScheme.Bearer;
            return null;
        }

        var header = values[0].AsMemory();
        var value = header.Span.Trim();
        var valueStart = header.Length - header.Span.TrimStart().Length;
        int schemeLength;
        if (IsScheme(value, "Bearer"))
        {
            scheme = AuthorizationScheme.Bearer;
            schemeLength = 6;
        }
        else if (IsScheme(value, "DPoP"))
        {
            scheme = AuthorizationScheme.Dpop;
            schemeLength = 4;
        }
        else
        {
            // Another scheme (Basic, ...) carries no access token: answered with the bare challenge.
            return null;
        }

        present = true;
        if (value[schemeLength] != ' ')
        {
            // RFC 6750 / RFC 9449 separate scheme and token with SP only: "Bearer<TAB>token" is a malformed credential.
            return null;
        }

        var credentials = value[(schemeLength + 1)..];
        var token = credentials.Trim();
        if (token.IsEmpty || token.ContainsAny(' ', '\t', ','))
        {
            return null;
        }

        // A slice of the original string: after the leading white space, the scheme and its space, and any more spaces.
        var tokenStart = valueStart + schemeLength + 1 + (credentials.Length - credentials.TrimStart().Length);
        return header.Slice(tokenStart, token.Length);
    }

    /// <summary>The single <c>DPoP</c> proof header; null when there is none or more than one (RFC 9449 §4.3 step 1).</summary>
    public static string? ReadDpopProof(IHeaderDictionary headers)
    {
        var values = headers[DpopHeader];
        return values.Count == 1 ? values[0] : null;
    }

    // The scheme name, case-insensitively, followed by at least one more character that is SP or HTAB.
    private static bool IsScheme(ReadOnlySpan<char> value, string name) =>
        value.Length > name.Length + 1 && value[..name.Length].Equals(name, StringComparison.OrdinalIgnoreCase) && value[name.Length] is ' ' or '\t';
}
