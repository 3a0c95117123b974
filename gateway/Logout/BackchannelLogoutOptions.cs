namespace Gateway.Logout;

/// <summary>OpenID Connect Back-Channel Logout, section <c>Gateway:BackchannelLogout</c>.</summary>
public sealed class BackchannelLogoutOptions
{
    public const string SectionName = "Gateway:BackchannelLogout";

    /// <summary>Serve <c>POST /backchannel-logout</c> on the public listener. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A logout token's <c>iat</c> may be at most this old. Default 5 minutes.</summary>
    public TimeSpan MaxTokenAge { get; set; } = TimeSpan.FromMinutes(5);
}
