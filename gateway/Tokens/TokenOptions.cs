namespace Gateway.Tokens;

/// <summary>Token verification settings, section <c>Gateway:Tokens</c>.</summary>
public sealed class TokenOptions
{
    public const string SectionName = "Gateway:Tokens";

    /// <summary>Accepted issuers. At least one is required (the Development issuer counts in Development).</summary>
    public List<IssuerOptions> Issuers { get; set; } = [];

    /// <summary>Tolerance for <c>exp</c>, <c>nbf</c> and <c>iat</c>. Default 30 s (not ASP.NET's 300 s).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tokens longer than this many characters are refused before parsing. Default 8192.</summary>
    public int MaxTokenSize { get; set; } = 8192;

    /// <summary>Claim names used by the session checks.</summary>
    public ClaimNameOptions Claims { get; set; } = new();

    /// <summary>Upper bound of the verified-token cache (entries). Default 100000; 0 disables the cache.</summary>
    public int VerifiedTokenCacheSize { get; set; } = 100_000;
}

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
}

/// <summary>Names of the claims the gateway reads, section <c>Gateway:Tokens:Claims</c>.</summary>
public sealed class ClaimNameOptions
{
    public string Subject { get; set; } = "sub";
    public string Session { get; set; } = "sid";
    public string TokenId { get; set; } = "jti";
    public string Version { get; set; } = "ver";
    public string AuthTime { get; set; } = "auth_time";
}
