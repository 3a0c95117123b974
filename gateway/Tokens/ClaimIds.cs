namespace Gateway.Tokens;

/// <summary>
/// The one rule for ids the gateway keys state on (<c>sub</c>, <c>sid</c>, <c>jti</c>, client ids): 1 to 256
/// printable ASCII characters. They become identity headers and store keys, so control characters (CR/LF, NUL) and
/// non-ASCII would split or break a forwarded header (OIDC Core: <c>sub</c> is at most 255 ASCII characters). The
/// verifier refuses tokens that break it and the admin API refuses bodies that do, so no revocation can name an id
/// that no token can carry.
/// </summary>
public static class ClaimIds
{
    public const int MaxLength = 256;

    /// <summary>What the rule demands, for error messages.</summary>
    public const string Rule = "1 to 256 printable ASCII characters";

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && !value.AsSpan().ContainsAnyExceptInRange(' ', '~');
}
