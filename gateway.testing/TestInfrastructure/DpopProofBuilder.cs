using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>
/// DPoP proofs (RFC 9449) for a P-256 key the caller owns: an ES256 JWS with <c>typ: dpop+jwt</c> and the public
/// <c>jwk</c> in the header, and <c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>, optional <c>ath</c> and <c>nonce</c> in the
/// payload. Signed with System.Security.Cryptography (not the JWT library under test). The key stays the caller's.
/// </summary>
public sealed class DpopProofBuilder
{
    private readonly ECDsa _key;

    public DpopProofBuilder(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Q.X is not { Length: 32 } || parameters.Q.Y is not { Length: 32 })
        {
            throw new ArgumentException("DPoP proofs here are ES256: the key must be on P-256", nameof(key));
        }

        _key = key;
        PublicJwk = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(parameters.Q.X),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
        };
        Thumbprint = ThumbprintOf(PublicJwk);
    }

    /// <summary>The public key as a JWK (kty, crv, x, y), as it goes into the proof's header.</summary>
    public JsonObject PublicJwk { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint of <see cref="PublicJwk"/>: what a bound token carries as <c>cnf.jkt</c>.</summary>
    public string Thumbprint { get; }

    /// <summary>The <c>cnf.jkt</c> a token bound to <paramref name="key"/> carries.</summary>
    public static string ThumbprintOf(ECDsa key) => new DpopProofBuilder(key).Thumbprint;

    /// <summary>
    /// A proof for one request. <paramref name="url"/> loses its query and fragment (RFC 9449 <c>htu</c>);
    /// <paramref name="accessToken"/> adds <c>ath</c> (base64url SHA-256 of the token); <paramref name="nonce"/> adds the
    /// server's <c>nonce</c>; <paramref name="issuedAt"/> defaults to now and <paramref name="jti"/> to a fresh random id.
    /// </summary>
    public string Build(
        string method,
        Uri url,
        string? accessToken = null,
        string? nonce = null,
        DateTimeOffset? issuedAt = null,
        string? jti = null)
    {
        var header = new JsonObject
        {
            ["typ"] = "dpop+jwt",
            ["alg"] = "ES256",
            ["jwk"] = PublicJwk.DeepClone(),
        };
        var payload = new JsonObject
        {
            ["jti"] = jti ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["htm"] = method,
            ["htu"] = url.GetLeftPart(UriPartial.Path),
            ["iat"] = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            payload["ath"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                    Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private static string ThumbprintOf(JsonObject jwk)
    {
        // RFC 7638: the required members only, in lexicographic order, no whitespace.
        var canonical = $"{{\"crv\":\"{jwk["crv"]}\",\"kty\":\"{jwk["kty"]}\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
