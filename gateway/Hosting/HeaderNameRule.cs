using System.Buffers;

namespace Gateway.Hosting;

/// <summary>A configured header name must be an HTTP token (RFC 9110 §5.1): no spaces, colons, separators or non-ASCII.</summary>
internal static class HeaderNameRule
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool IsHeaderName(string name) => name.Length > 0 && name.AsSpan().IndexOfAnyExcept(TokenChars) < 0;
}
