using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Testing.Attacks;

/// <summary>Raw JWS crafting: any header and payload text, any signature bytes, no library checks in the way.</summary>
public static class Jose
{
    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    /// <summary>Signs <c>header.payload</c> (already encoded, possibly badly) with <paramref name="signer"/>.</summary>
    public static string SignEncoded(string encodedHeader, string encodedPayload, Func<byte[], byte[]> signer)
    {
        var input = encodedHeader + "." + encodedPayload;
        return input + "." + B64(signer(Encoding.ASCII.GetBytes(input)));
    }

    public static string Sign(string headerJson, string payloadJson, Func<byte[], byte[]> signer) =>
        SignEncoded(B64(headerJson), B64(payloadJson), signer);

    public static string Sign(JsonNode header, JsonNode payload, Func<byte[], byte[]> signer) =>
        Sign(header.ToJsonString(), payload.ToJsonString(), signer);

    /// <summary>Header and payload with the given signature bytes (not computed).</summary>
    public static string WithSignature(string headerJson, string payloadJson, byte[] signature) =>
        B64(headerJson) + "." + B64(payloadJson) + "." + B64(signature);

    public static Func<byte[], byte[]> Es256(ECDsa key) => data => key.SignData(data, HashAlgorithmName.SHA256);

    public static Func<byte[], byte[]> Rs256(RSA key) => data => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public static Func<byte[], byte[]> Hs256(byte[] key) => data => HMACSHA256.HashData(key, data);

    public static Func<byte[], byte[]> Hs384(byte[] key) => data => HMACSHA384.HashData(key, data);

    public static Func<byte[], byte[]> Unsigned => _ => [];

    /// <summary>The issuer's own EC key 1: what a legitimate token is signed with.</summary>
    public static Func<byte[], byte[]> Legit => Es256(AttackKeys.EcKey1);

    public static JsonObject Header(string alg = "ES256", string? kid = AttackKeys.Ec1, string? typ = AttackKeys.AccessTokenType)
    {
        var header = new JsonObject { ["alg"] = alg };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        if (typ is not null)
        {
            header["typ"] = typ;
        }

        return header;
    }

    /// <summary>A payload every check accepts: issued 10 s ago, valid for 10 minutes.</summary>
    public static JsonObject Claims(long? now = null)
    {
        var t = now ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = AttackKeys.Issuer,
            ["aud"] = AttackKeys.Audience,
            ["sub"] = "user-1",
            ["sid"] = "session-1",
            ["jti"] = "jti-" + Guid.NewGuid().ToString("N"),
            ["iat"] = t - 10,
            ["nbf"] = t - 10,
            ["exp"] = t + 600,
        };
    }

    public static string Valid() => Sign(Header(), Claims(), Legit);

    /// <summary>The claims with one member replaced (or removed, for null) by raw JSON text.</summary>
    public static string ClaimsWithRaw(string name, string? rawJson)
    {
        var claims = Claims();
        claims.Remove(name);
        var json = claims.ToJsonString();
        return rawJson is null ? json : json[..^1] + ",\"" + name + "\":" + rawJson + "}";
    }
}
