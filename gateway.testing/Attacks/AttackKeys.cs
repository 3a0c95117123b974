using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Testing.Attacks;

/// <summary>
/// The keys of the attack suite's issuer and of the attacker. The issuer deliberately allows ES256, RS256 and HS256
/// with one key of each family (plus a second EC key), the hardest set-up for key-confusion attacks: an RSA public
/// key is in the JWKS and HS256 is on the allow-list.
/// </summary>
public static class AttackKeys
{
    public const string Issuer = "https://issuer.attacks.test";
    public const string Audience = "api://gateway";
    public const string AccessTokenType = "at+jwt";
    public const string Ec1 = "ec1";
    public const string Ec2 = "ec2";
    public const string Rsa1 = "rsa1";
    public const string Hs1 = "hs1";
    public const int MaxTokenSize = 8192;

    public static readonly ECDsa EcKey1 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly ECDsa EcKey2 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly RSA RsaKey = RSA.Create(2048);
    public static readonly byte[] HmacKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>Keys the attacker owns; never in the JWKS.</summary>
    public static readonly ECDsa AttackerEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public static readonly RSA AttackerRsa = RSA.Create(2048);

    public static string Jwks { get; } = BuildJwks();

    /// <summary>Configuration of one issuer with inline JWKS, <c>ValidTypes = [at+jwt]</c>, under <c>Gateway:Tokens</c>.</summary>
    public static Dictionary<string, string?> TokenSettings() => new()
    {
        ["Gateway:Tokens:Issuers:0:Issuer"] = Issuer,
        ["Gateway:Tokens:Issuers:0:Audiences:0"] = Audience,
        ["Gateway:Tokens:Issuers:0:Algorithms:0"] = "ES256",
        ["Gateway:Tokens:Issuers:0:Algorithms:1"] = "RS256",
        ["Gateway:Tokens:Issuers:0:Algorithms:2"] = "HS256",
        ["Gateway:Tokens:Issuers:0:ValidTypes:0"] = AccessTokenType,
        ["Gateway:Tokens:Issuers:0:Jwks"] = Jwks,
        ["Gateway:Tokens:Issuers:0:VersionClaim"] = "ver",
        ["Gateway:Tokens:MaxTokenSize"] = MaxTokenSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The public JWK of an EC key as JSON (for embedded <c>jwk</c> headers).</summary>
    public static JsonObject PublicJwk(ECDsa key, string? kid)
    {
        var p = key.ExportParameters(false);
        var jwk = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        };
        if (kid is not null)
        {
            jwk["kid"] = kid;
        }

        return jwk;
    }

    private static string BuildJwks()
    {
        var rsa = RsaKey.ExportParameters(false);
        var keys = new JsonArray
        {
            PublicJwk(EcKey1, Ec1),
            PublicJwk(EcKey2, Ec2),
            new JsonObject { ["kty"] = "RSA", ["kid"] = Rsa1, ["n"] = Base64UrlEncoder.Encode(rsa.Modulus), ["e"] = Base64UrlEncoder.Encode(rsa.Exponent) },
            new JsonObject { ["kty"] = "oct", ["kid"] = Hs1, ["k"] = Base64UrlEncoder.Encode(HmacKey) },
        };
        return new JsonObject { ["keys"] = keys }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
