using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>The signature algorithms the gateway knows, and which key types each may use.</summary>
internal static class Algorithms
{
    private static readonly Dictionary<string, (string Kty, string? Curve)> Families = new(StringComparer.Ordinal)
    {
        ["RS256"] = ("RSA", null), ["RS384"] = ("RSA", null), ["RS512"] = ("RSA", null),
        ["PS256"] = ("RSA", null), ["PS384"] = ("RSA", null), ["PS512"] = ("RSA", null),
        ["ES256"] = ("EC", "P-256"), ["ES384"] = ("EC", "P-384"), ["ES512"] = ("EC", "P-521"),
        ["HS256"] = ("oct", null), ["HS384"] = ("oct", null), ["HS512"] = ("oct", null),
    };

    public static IEnumerable<string> Known => Families.Keys;

    /// <summary>The hash of a known RSA, RSA-PSS or ECDSA <c>alg</c> (its last three digits), or null for another.</summary>
    public static HashAlgorithmName? HashOf(string alg) => alg.Length == 5 ? alg.AsSpan(2) switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => null,
    } : null;

    public static bool IsKnown(string alg) => Families.ContainsKey(alg);

    /// <summary>True when <paramref name="key"/> belongs to the family of <paramref name="alg"/>: no RSA key for HS256, no P-384 key for ES256.</summary>
    public static bool KeyFits(string alg, JsonWebKey key)
    {
        if (!Families.TryGetValue(alg, out var family))
        {
            return false;
        }

        if (!string.Equals(key.Kty, family.Kty, StringComparison.Ordinal))
        {
            return false;
        }

        if (family.Curve is not null && !string.Equals(key.Crv, family.Curve, StringComparison.Ordinal))
        {
            return false;
        }

        // A key that names its algorithm may only be used with that algorithm.
        return string.IsNullOrEmpty(key.Alg) || string.Equals(key.Alg, alg, StringComparison.Ordinal);
    }
}
