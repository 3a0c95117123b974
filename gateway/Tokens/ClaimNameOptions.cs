namespace Gateway.Tokens;

/// <summary>Names of the claims the gateway reads, section <c>Gateway:Tokens:Claims</c>.</summary>
public sealed class ClaimNameOptions
{
    public string Subject { get; set; } = "sub";
    public string Session { get; set; } = "sid";
    public string TokenId { get; set; } = "jti";
    public string AuthTime { get; set; } = "auth_time";
}
