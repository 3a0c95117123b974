using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>One issuer's signing keys, parsed from a JWKS document. Immutable: swapped whole on refresh.</summary>
internal sealed class KeySet
{
    public static readonly KeySet Empty = new([], DateTimeOffset.MinValue);

    private readonly Dictionary<string, SigningKey> _byKid;
    private readonly SigningKey[] _all;

    private KeySet(SigningKey[] keys, DateTimeOffset loadedAt)
    {
        _all = keys;
        _byKid = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (key.Jwk.Kid is { Length: > 0 } kid)
            {
                _byKid[kid] = key;
            }
        }

        LoadedAt = loadedAt;
    }

    public int Count => _all.Length;

    public DateTimeOffset LoadedAt { get; }

    /// <summary>
    /// The key a token names, if it fits the token's algorithm. With no <c>kid</c>, only a set holding exactly one
    /// fitting key answers: the gateway never tries keys in turn.
    /// </summary>
    public SigningKey? Find(string? kid, string alg)
    {
        if (!string.IsNullOrEmpty(kid))
        {
            return _byKid.TryGetValue(kid, out var named) && Algorithms.KeyFits(alg, named.Jwk) ? named : null;
        }

        SigningKey? only = null;
        foreach (var key in _all)
        {
            if (Algorithms.KeyFits(alg, key.Jwk))
            {
                if (only is not null)
                {
                    return null;
                }

                only = key;
            }
        }

        return only;
    }

    /// <summary>Parses a JWKS document; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static KeySet Parse(string json, DateTimeOffset loadedAt)
    {
        JsonWebKeySet set;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("a JWKS must be a JSON object with a \"keys\" array");
            }

            set = new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FormatException("not valid JWKS JSON: " + ex.Message, ex);
        }

        var result = new List<SigningKey>();
        foreach (var jwk in set.Keys)
        {
            // Encryption keys never verify signatures.
            if (string.Equals(jwk.Use, "enc", StringComparison.Ordinal))
            {
                continue;
            }

            var valid = jwk.Kty switch
            {
                "RSA" => !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E),
                "EC" => !string.IsNullOrEmpty(jwk.Crv) && !string.IsNullOrEmpty(jwk.X) && !string.IsNullOrEmpty(jwk.Y),
                "oct" => !string.IsNullOrEmpty(jwk.K),
                _ => false,
            };
            if (!valid)
            {
                throw new FormatException($"key {result.Count} (kid '{jwk.Kid}') has an unsupported kty or lacks its members");
            }

            // The library verifies with the converted key; the JWK itself keeps kty/crv/alg for the family check.
            SecurityKey key = JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var converted) ? converted : jwk;
            result.Add(new SigningKey(jwk, key));
        }

        if (result.Count == 0)
        {
            throw new FormatException("the JWKS holds no signing key");
        }

        return new KeySet([.. result], loadedAt);
    }
}

/// <summary>A JWK and the library key made from it.</summary>
internal sealed record SigningKey(JsonWebKey Jwk, SecurityKey Key);
