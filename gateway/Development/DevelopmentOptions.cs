namespace Gateway.Development;

/// <summary>
/// The development-only issuer, section <c>Gateway:Development</c>: a locally generated ES256 key that
/// <c>dotnet run --project gateway -- mint-token</c> signs with. Trusted only in the Development environment.
/// </summary>
public sealed class DevelopmentOptions
{
    public const string SectionName = "Gateway:Development";

    /// <summary>Trust the development issuer (Development environment only). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The development issuer's <c>iss</c>. Default <c>https://dev.gateway.local</c>.</summary>
    public string Issuer { get; set; } = "https://dev.gateway.local";

    /// <summary>The audience its tokens carry. Default <c>api</c>.</summary>
    public string Audience { get; set; } = "api";

    /// <summary>Where the private key is kept. Default: the user's local application data folder.</summary>
    public string? KeyFile { get; set; }
}
