using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// A public JWK reduced to the members RFC 7638 hashes (EC: crv, x, y; RSA: n, e; OKP: crv, x), each checked:
/// canonical base64url, coordinates of the curve's exact size, RSA moduli of 2048 to 8192 bits without leading zero.
/// Any private member refuses the key whole.
/// </summary>
internal sealed class PublicJwk
{
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

    private PublicJwk(string kty, string? crv, string? x, string? y, string? n, string? e, string? alg)
    {
        Kty = kty;
        Crv = crv;
        X = x;
        Y = y;
        N = n;
        E = e;
        Alg = alg;
    }

    /// <summary><c>EC</c>, <c>RSA</c> or <c>OKP</c>.</summary>
    public string Kty { get; }

    /// <summary><c>P-256</c>, <c>P-384</c>, <c>P-521</c> (EC) or <c>Ed25519</c> (OKP).</summary>
    public string? Crv { get; }

    public string? X { get; }

    public string? Y { get; }

    public string? N { get; }

    public string? E { get; }

    /// <summary>The key's own <c>alg</c> member, if it names one.</summary>
    public string? Alg { get; }

    public static PublicJwkStatus TryParse(JsonElement jwk, out PublicJwk? key)
    {
        key = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return PublicJwkStatus.Invalid;
        }

        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return PublicJwkStatus.Private;
            }
        }

        if (!TryGetString(jwk, "kty", out var kty) || !TryGetOptionalString(jwk, "alg", out var alg))
        {
            return PublicJwkStatus.Invalid;
        }

        // A key marked for encryption never signs.
        if (jwk.TryGetProperty("use", out var use) && !(use.ValueKind == JsonValueKind.String && use.ValueEquals("sig")))
        {
            return PublicJwkStatus.Invalid;
        }

        switch (kty)
        {
            case "EC":
                if (!TryGetString(jwk, "crv", out var crv) || CoordinateSize(crv) is not { } size ||
                    !TryGetCoordinate(jwk, "x", size, out var x) || !TryGetCoordinate(jwk, "y", size, out var y))
                {
                    return PublicJwkStatus.Invalid;
                }

                key = new PublicJwk("EC", crv, x, y, null, null, alg);
                return PublicJwkStatus.Valid;
            case "RSA":
                if (!TryGetString(jwk, "n", out var n) || !TryGetString(jwk, "e", out var e) || !IsModulus(n) || !IsExponent(e))
                {
                    return PublicJwkStatus.Invalid;
                }

                key = new PublicJwk("RSA", null, null, null, n, e, alg);
                return PublicJwkStatus.Valid;
            case "OKP":
                if (!TryGetString(jwk, "crv", out var okpCurve) || okpCurve != "Ed25519" || !TryGetCoordinate(jwk, "x", 32, out var okpX))
                {
                    return PublicJwkStatus.Invalid;
                }

                key = new PublicJwk("OKP", okpCurve, okpX, null, null, null, alg);
                return PublicJwkStatus.Valid;
            default:
                // "oct" (a shared secret is no proof of possession) and anything unknown.
                return PublicJwkStatus.Invalid;
        }
    }

    /// <summary>
    /// True when this key may verify <paramref name="alg"/>: ES256 needs P-256, ES384 P-384, ES512 P-521, RS*/PS*
    /// an RSA key; a key that names its own <c>alg</c> serves only that one. EdDSA is not verified here.
    /// </summary>
    public bool Fits(string alg)
    {
        if (Alg is not null && !string.Equals(Alg, alg, StringComparison.Ordinal))
        {
            return false;
        }

        return alg switch
        {
            "ES256" => Crv == "P-256" && Kty == "EC",
            "ES384" => Crv == "P-384" && Kty == "EC",
            "ES512" => Crv == "P-521" && Kty == "EC",
            "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => Kty == "RSA",
            _ => false,
        };
    }

    internal static int? CoordinateSize(string crv) => crv switch
    {
        "P-256" => 32,
        "P-384" => 48,
        "P-521" => 66,
        _ => null,
    };

    internal static ECCurve Curve(string crv) => crv switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    private static bool TryGetString(JsonElement jwk, string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!jwk.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString();
        return !string.IsNullOrEmpty(value);
    }

    private static bool TryGetOptionalString(JsonElement jwk, string name, out string? value)
    {
        value = null;
        if (!jwk.TryGetProperty(name, out var element))
        {
            return true;
        }

        return TryGetString(jwk, name, out value);
    }

    private static bool TryGetCoordinate(JsonElement jwk, string name, int size, [NotNullWhen(true)] out string? value)
    {
        // Unpadded base64url of exactly `size` bytes; canonical, so the thumbprint has one input per key.
        return TryGetString(jwk, name, out value) && value.Length == (size * 4 + 2) / 3 && Base64UrlStrict.IsCanonical(value);
    }

    private static bool IsModulus(string n)
    {
        // 2048 to 8192 bits, minimal encoding (no leading zero octet: RFC 7518 §6.3.1.1).
        if (n.Length < 342 || n.Length > 1366 || !Base64UrlStrict.IsCanonical(n))
        {
            return false;
        }

        Span<byte> first = stackalloc byte[3];
        return Base64UrlStrict.TryDecode(n.AsSpan(0, 4), first, out var written) && written == 3 && first[0] != 0 &&
               Base64UrlStrict.DecodedLength(n.Length) >= 256;
    }

    private static bool IsExponent(string e)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (e.Length > 6 || !Base64UrlStrict.TryDecode(e, bytes, out var written) || written == 0 || bytes[0] == 0)
        {
            return false;
        }

        // Odd and above 1: an even or unit exponent is no RSA key.
        return (bytes[written - 1] & 1) == 1 && !(written == 1 && bytes[0] == 1);
    }
}
