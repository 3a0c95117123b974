using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>One issuer's signing keys, parsed from a JWKS document. Immutable: swapped whole on refresh.</summary>
internal sealed class KeySet
{
    public static readonly KeySet Empty = new([], [], DateTimeOffset.MinValue);

    private static long _versions;

    private readonly Dictionary<string, SigningKey> _byKid;
    private readonly SigningKey[] _all;

    private KeySet(SigningKey[] keys, string[] skipped, DateTimeOffset loadedAt)
    {
        _all = keys;
        Skipped = skipped;
        Version = Interlocked.Increment(ref _versions);
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

    public IReadOnlyList<SigningKey> All => _all;

    /// <summary>Process-wide unique per parsed set: a token verified under the current set needs no key re-check.</summary>
    public long Version { get; }

    /// <summary>Keys of the document the gateway cannot use, one line each (kid and why), for a log line and readiness.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>True when the set still holds <paramref name="key"/> (same kid and same key material).</summary>
    public bool Contains(SigningKey key) =>
        key.Jwk.Kid is { Length: > 0 } kid ? _byKid.TryGetValue(kid, out var current) && SameMaterial(current, key) : Array.Exists(_all, k => SameMaterial(k, key));

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
        var skipped = new List<string>();
        var index = 0;
        foreach (var jwk in set.Keys)
        {
            var position = index++;

            // Providers publish keys the gateway cannot use (Ed25519, encryption keys, X25519): skip each one, keep the rest.
            if (Unusable(jwk) is { } why)
            {
                skipped.Add($"key {position} (kid '{jwk.Kid}'): {why}");
                continue;
            }

            // The library verifies with the converted key; the JWK itself keeps kty/crv/alg for the family check.
            SecurityKey key = JsonWebKeyConverter.TryConvertToSecurityKey(jwk, out var converted) ? converted : jwk;
            result.Add(new SigningKey(jwk, key));
        }

        if (result.Count == 0)
        {
            throw new FormatException(skipped.Count == 0
                ? "the JWKS holds no signing key"
                : "the JWKS holds no key this gateway can use: " + string.Join("; ", skipped));
        }

        return new KeySet([.. result], [.. skipped], loadedAt);
    }

    // Why a JWK cannot verify signatures here, or null when it can.
    private static string? Unusable(JsonWebKey jwk)
    {
        if (!string.IsNullOrEmpty(jwk.Use) && !string.Equals(jwk.Use, "sig", StringComparison.Ordinal))
        {
            return $"use '{jwk.Use}' is not sig";
        }

        return jwk.Kty switch
        {
            "RSA" when string.IsNullOrEmpty(jwk.N) || string.IsNullOrEmpty(jwk.E) => "an RSA key without n or e",
            "RSA" => null,
            "EC" when jwk.Crv is not ("P-256" or "P-384" or "P-521") => $"curve '{jwk.Crv}' is not supported (P-256, P-384, P-521 are)",
            "EC" when string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y) => "an EC key without x or y",
            "EC" => null,
            "oct" when string.IsNullOrEmpty(jwk.K) => "an oct key without k",
            "oct" => null,
            "OKP" => $"kty OKP (curve '{jwk.Crv}') is not supported: no EdDSA verification on this runtime",
            _ => $"kty '{jwk.Kty}' is not supported",
        };
    }

    private static bool SameMaterial(SigningKey a, SigningKey b) =>
        ReferenceEquals(a, b) ||
        (string.Equals(a.Jwk.Kty, b.Jwk.Kty, StringComparison.Ordinal) && string.Equals(a.Jwk.N, b.Jwk.N, StringComparison.Ordinal) &&
         string.Equals(a.Jwk.E, b.Jwk.E, StringComparison.Ordinal) && string.Equals(a.Jwk.X, b.Jwk.X, StringComparison.Ordinal) &&
         string.Equals(a.Jwk.Y, b.Jwk.Y, StringComparison.Ordinal) && string.Equals(a.Jwk.Crv, b.Jwk.Crv, StringComparison.Ordinal) &&
         string.Equals(a.Jwk.K, b.Jwk.K, StringComparison.Ordinal));
}
