using Gateway.Sessions;

namespace Gateway.Tokens;

/// <summary>What the gateway knows of a token once its signature and claims are verified. Immutable: cached and shared.</summary>
/// <param name="Issuer">The configured issuer string (one instance shared by every token of that issuer).</param>
/// <param name="Subject"><c>sub</c>.</param>
/// <param name="SessionId"><c>sid</c>, if any.</param>
/// <param name="TokenId"><c>jti</c>, if any.</param>
/// <param name="IssuedAt"><c>iat</c>.</param>
/// <param name="ExpiresAt"><c>exp</c>.</param>
/// <param name="AuthTime"><c>auth_time</c>, if any.</param>
/// <param name="Version">The issuer's <c>VersionClaim</c>, when the issuer has one and the token carries it.</param>
public sealed record VerifiedToken(
    string Issuer,
    string Subject,
    string? SessionId,
    string? TokenId,
    long IssuedAt,
    long ExpiresAt,
    long? AuthTime,
    long? Version)
{
    private readonly string[] _scopes = [];
    private readonly string? _scopeText;

    /// <summary><c>client_id</c>, else <c>azp</c>, if any.</summary>
    public string? ClientId { get; init; }

    /// <summary>The token's <c>aud</c> values (empty when it carries none).</summary>
    public string[] Audiences { get; init; } = [];

    /// <summary>The value of the issuer's <c>TenantClaim</c>, when one is configured and the token carries it as a string.</summary>
    public string? Tenant { get; init; }

    /// <summary>Granted scopes, from <c>scope</c> (space-separated) or <c>scp</c> (array or string).</summary>
    public string[] Scopes
    {
        get => _scopes;
        init
        {
            _scopes = value;
            _scopeText = null; // A list given anew (a `with`, say) drops the joined text made for the old one.
        }
    }

    /// <summary>
    /// <see cref="Scopes"/> joined with spaces, made once for the issuer's shared list (set after <see cref="Scopes"/>),
    /// so the scope header of a cached token costs no new string per request.
    /// </summary>
    internal string? ScopeText
    {
        get => _scopeText;
        init => _scopeText = value;
    }

    /// <summary>The scopes as one space-separated string (the scope header, RFC 7662's <c>scope</c>).</summary>
    public string JoinedScopes => _scopeText ?? string.Join(' ', _scopes);

    /// <summary>The <c>kid</c> of the key that verified it: a key that leaves the JWKS takes its tokens with it.</summary>
    public string? KeyId { get; init; }

    /// <summary>The <c>cnf</c> binding (RFC 9449 <c>jkt</c>, RFC 8705 <c>x5t#S256</c>), if any.</summary>
    public TokenBinding? Binding { get; init; }

    /// <summary>The key that verified it; checked against the issuer's current set on every cache hit.</summary>
    internal SigningKey? VerifiedBy { get; init; }

    /// <summary>The key source of its issuer, so a cache hit checks the current key set without an issuer lookup.</summary>
    internal IssuerKeys? IssuerKeys { get; init; }

    /// <summary>The <see cref="KeySet.Version"/> it was verified under: while it is current, no key re-check is needed.</summary>
    internal long KeySetVersion { get; init; }

    /// <summary>Whose session state judges it.</summary>
    public UserKey User => new(Issuer, Subject);

    /// <summary>
    /// Not expired at <paramref name="now"/> (Unix seconds), allowing <paramref name="graceSeconds"/> past <c>exp</c>: the
    /// one rule for a verification kept and used again (the token caches, with the clock skew) and for an open connection.
    /// </summary>
    public bool IsLiveAt(long now, long graceSeconds) => now < ExpiresAt + graceSeconds;
}
