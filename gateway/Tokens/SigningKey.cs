using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>A JWK and the library key made from it.</summary>
internal sealed record SigningKey(JsonWebKey Jwk, SecurityKey Key);
