namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The one normalisation both sides of the <c>htu</c> comparison go through (RFC 9449 §4.3 step 9, RFC 3986 §6.2.2
/// and §6.2.3): scheme and host lower-cased, default port dropped, dot segments removed, percent-encoding of
/// unreserved characters undone, an empty path made <c>/</c>; query and fragment left out.
/// </summary>
internal static class DpopHtu
{
    /// <summary>The normalised form of an absolute http(s) URI; null for anything else (relative, other scheme, user info).</summary>
    public static string? Normalize(string? uri)
    {
        if (string.IsNullOrEmpty(uri) || uri.Length > 8192 || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return null;
        }

        if ((parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps) || parsed.UserInfo.Length > 0 || parsed.Host.Length == 0)
        {
            return null;
        }

        return parsed.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }
}
