using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>A token endpoint response from the <see cref="OidcProvider"/>, with the JWTs' decoded parts for assertions.</summary>
public sealed record OidcTokens(
    string ClientId,
    string AccessToken,
    string TokenType,
    long ExpiresIn,
    string? Scope,
    string? RefreshToken,
    string? IdToken)
{
    /// <summary>The access token's JOSE header (<c>typ</c> is <c>at+jwt</c>).</summary>
    public JsonObject AccessTokenHeader => TokenFactory.Part(AccessToken, 0);

    /// <summary>The access token's claims.</summary>
    public JsonObject AccessTokenClaims => TokenFactory.Part(AccessToken, 1);

    /// <summary>The ID token's claims (authorization code and refresh grants with scope <c>openid</c>).</summary>
    public JsonObject IdTokenClaims => TokenFactory.Part(IdToken ?? throw new InvalidOperationException("No ID token was issued"), 1);
}
