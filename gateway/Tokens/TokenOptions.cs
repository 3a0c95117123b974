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
