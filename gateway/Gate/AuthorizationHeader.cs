using Microsoft.AspNetCore.Http;

namespace Gateway.Gate;

/// <summary>Reads the access token from the <c>Authorization</c> header (RFC 6750 §2.1), strictly.</summary>
internal static class AuthorizationHeader
{
    /// <summary>The token of a single <c>Bearer</c> Authorization header (scheme case-insensitive), else null.</summary>
    public static string? ReadBearer(IHeaderDictionary headers, out bool present) =>
        ReadBearerMemory(headers, out present) is { } token ? token.ToString() : null;

    /// <summary>As <see cref="ReadBearer"/>, as a slice of the header value: the hot path allocates no token string.</summary>
    /// <param name="headers">The request headers.</param>
    /// <param name="present">A bearer credential was sent, well-formed or not (false: none, or another scheme).</param>
    public static ReadOnlyMemory<char>? ReadBearerMemory(IHeaderDictionary headers, out bool present)
    {
        var values = headers.Authorization;
        present = false;
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            present = true;
            return null;
        }

        var header = values[0].AsMemory();
        var value = header.Span.Trim();
        var valueStart = header.Length - header.Span.TrimStart().Length;
        if (value.Length < 7 || !value[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || value[6] is not (' ' or '\t'))
        {
            // Another scheme (Basic, ...) is no bearer token: answered with the bare challenge.
            return null;
        }

        present = true;
        if (value[6] != ' ')
        {
            // RFC 6750 separates scheme and token with SP only: "Bearer<TAB>token" is a malformed bearer credential.
            return null;
        }

        var credentials = value[7..];
        var token = credentials.Trim();
        if (token.IsEmpty || token.ContainsAny(' ', '\t', ','))
        {
            return null;
        }

        // A slice of the original string: after the leading white space, the scheme and its space, and any more spaces.
        var tokenStart = valueStart + 7 + (credentials.Length - credentials.TrimStart().Length);
        return header.Slice(tokenStart, token.Length);
    }
}
