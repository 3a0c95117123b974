using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gateway.Admin;

/// <summary>
/// Client authentication of the standard endpoints (RFC 7009, RFC 7662): an admin API key presented as HTTP Basic
/// (RFC 6749 §2.3.1: any client id, the key as client secret; the key's id, <c>key-xxxxxxxx</c>, is the natural client
/// id), as <c>Authorization: Bearer &lt;key&gt;</c>, or in <c>X-Api-Key</c> like the JSON admin API. The key itself is
/// checked by <see cref="ApiKeyVerifier"/> (constant time).
/// </summary>
internal static class ClientAuthentication
{
    /// <summary>The challenges of a 401: both schemes this endpoint accepts.</summary>
    public static readonly string[] Challenges = ["Basic realm=\"gateway-admin\", charset=\"UTF-8\"", "Bearer realm=\"gateway-admin\""];

    /// <summary>The id of the key the request presents, or null.</summary>
    public static string? Authenticate(HttpRequest request, ApiKeyVerifier verifier)
    {
        var header = request.Headers.Authorization;
        if (header.Count == 0)
        {
            var apiKey = request.Headers["X-Api-Key"];
            return apiKey.Count == 1 ? verifier.Verify(apiKey[0]) : null;
        }

        if (header.Count != 1 || !AuthenticationHeaderValue.TryParse(header[0], out var parsed) || parsed.Parameter is not { Length: > 0 } parameter)
        {
            return null;
        }

        if (parsed.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return verifier.Verify(parameter);
        }

        if (!parsed.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || ReadBasicSecret(parameter) is not { } secret)
        {
            return null;
        }

        // RFC 6749 §2.3.1 form-encodes the secret before Base64; many clients do not. Both spellings are tried.
        return verifier.Verify(secret) ?? (TryFormDecode(secret) is { } decoded && decoded != secret ? verifier.Verify(decoded) : null);
    }

    private static string? ReadBasicSecret(string parameter)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : text[(colon + 1)..];
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static string? TryFormDecode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
