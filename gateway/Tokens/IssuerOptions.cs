namespace Gateway.Tokens;

/// <summary>One accepted issuer, section <c>Gateway:Tokens:Issuers:N</c>.</summary>
public sealed class IssuerOptions
{
    /// <summary>The exact <c>iss</c> value. Required.</summary>
    public string? Issuer { get; set; }

    /// <summary>Accepted <c>aud</c> values; a token must carry one of them. Required.</summary>
    public List<string> Audiences { get; set; } = [];

    /// <summary>The <c>alg</c> allow-list, e.g. ES256, RS256, PS256. Required; <c>none</c> is never accepted.</summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>JWKS endpoint: https, or http on a loopback address.</summary>
    public string? JwksUri { get; set; }

    /// <summary>Inline JWKS JSON (a string, or the object itself). Exclusive with <see cref="JwksUri"/>.</summary>
    public string? Jwks { get; set; }

    /// <summary>Accepted <c>typ</c> header values (e.g. <c>at+jwt</c>). Empty: any or none.</summary>
    public List<string> ValidTypes { get; set; } = [];

    /// <summary>How often a JWKS URI is refetched. Default 10 minutes.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Minimum time between refetches caused by an unknown <c>kid</c>. Default 5 s.</summary>
    public TimeSpan JwksRefetchCooldown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Client ids whose OIDC back-channel logout tokens this issuer may send (the logout token's <c>aud</c>). Empty:
    /// back-channel logout from this issuer is refused. Kept apart from <see cref="Audiences"/> so that a client id
    /// never becomes an accepted access-token audience.
    /// </summary>
    public List<string> LogoutAudiences { get; set; } = [];

    /// <summary>
    /// The claim carrying the user's version, if this issuer's tokens carry one the gateway should judge by. Default
    /// none: tokens are judged by <c>iat</c> against the user's cut-off (providers use <c>ver</c> for other things).
    /// </summary>
    public string? VersionClaim { get; set; }

    /// <summary>
    /// For providers whose access tokens carry no <c>aud</c> (Cognito puts the client in <c>client_id</c>): such a
    /// token is accepted when its <c>client_id</c> is one of these. Tokens that do carry <c>aud</c> are still judged
    /// by <see cref="Audiences"/>. Empty (default): a token without <c>aud</c> is refused.
    /// </summary>
    public List<string> ClientIdsWithoutAudience { get; set; } = [];

    /// <summary>
    /// The claim naming the token's tenant (organisation, realm), if this issuer's tokens carry one: revocation rules
    /// (<c>POST /admin/revoke/rule</c>) can then name it. Default none.
    /// </summary>
    public string? TenantClaim { get; set; }

    /// <summary>
    /// The longest lifetime this issuer gives its access tokens. A revocation rule is dropped once every token it could
    /// match has expired: its <c>before</c> plus this. Default 24 hours.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// <see cref="DpopPolicy.Allowed"/> (default): bound tokens must prove possession, plain bearer tokens pass;
    /// <see cref="DpopPolicy.Required"/>: only DPoP-bound tokens pass. A binding (<c>cnf</c>) is never ignored.
    /// </summary>
    /// <remarks>A string, not the enum: the configuration binder drops a list element whose enum value does not parse,
    /// which would silently remove the whole issuer; the validator names the key instead.</remarks>
    public string Dpop { get; set; } = nameof(Tokens.DpopPolicy.Allowed);

    /// <summary>The parsed <see cref="Dpop"/>; null when it is neither Allowed nor Required.</summary>
    internal Tokens.DpopPolicy? DpopPolicy =>
        Enum.TryParse<Tokens.DpopPolicy>(Dpop, ignoreCase: true, out var policy) && Enum.IsDefined(policy) && !int.TryParse(Dpop, out _) ? policy : null;

    /// <summary>Claim names for this issuer's tokens. Default: <c>Gateway:Tokens:Claims</c>.</summary>
    public ClaimNameOptions? Claims { get; set; }
}
