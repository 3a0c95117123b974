namespace Gateway.Tokens;

/// <summary>A verified OIDC back-channel logout token (its session claim is always <c>sid</c>, whatever access tokens use).</summary>
/// <param name="Issuer">The configured issuer string.</param>
/// <param name="Subject"><c>sub</c>.</param>
/// <param name="SessionId"><c>sid</c>, if any.</param>
/// <param name="TokenId"><c>jti</c>.</param>
/// <param name="IssuedAt"><c>iat</c>.</param>
/// <param name="ExpiresAt"><c>exp</c>.</param>
/// <param name="Client">The logout's <c>aud</c> that matched the issuer's <c>LogoutAudiences</c>: the client being logged out.</param>
public sealed record LogoutToken(string Issuer, string Subject, string? SessionId, string TokenId, long IssuedAt, long ExpiresAt, string Client)
{
    public Sessions.UserKey User => new(Issuer, Subject);
}
