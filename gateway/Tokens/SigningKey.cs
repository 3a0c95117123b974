using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>A JWK, the library key made from it, and the direct signature check when the key allows one.</summary>
internal sealed record SigningKey(JsonWebKey Jwk, SecurityKey Key)
{
    /// <summary>Null for keys the library verifies (HMAC, small RSA, keys it could not convert).</summary>
    public DirectSignature? Direct { get; } = DirectSignature.For(Key);
}
