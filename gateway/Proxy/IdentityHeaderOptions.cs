namespace Gateway.Proxy;

/// <summary>Section <c>Gateway:Proxy:IdentityHeaders</c>.</summary>
public sealed class IdentityHeaderOptions
{
    /// <summary>Header for <c>sub</c>. Default <c>X-Auth-Subject</c>.</summary>
    public string? Subject { get; set; } = "X-Auth-Subject";

    /// <summary>Header for <c>sid</c>. Default <c>X-Auth-Session</c>.</summary>
    public string? Session { get; set; } = "X-Auth-Session";

    /// <summary>Header for <c>jti</c>. Default none.</summary>
    public string? TokenId { get; set; }

    /// <summary>Header for <c>iss</c>. Default none.</summary>
    public string? Issuer { get; set; }

    /// <summary>Header for the client (<c>client_id</c>, else <c>azp</c>). Default none.</summary>
    public string? Client { get; set; }

    /// <summary>Header for the granted scopes, space-separated. Default none.</summary>
    public string? Scopes { get; set; }

    /// <summary>Every configured name with its option key, for validation and stripping.</summary>
    internal IEnumerable<(string Key, string? Name)> All =>
        [("Subject", Subject), ("Session", Session), ("TokenId", TokenId), ("Issuer", Issuer), ("Client", Client), ("Scopes", Scopes)];
}
