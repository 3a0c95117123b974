using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Testing;

/// <summary>
/// Mints compact JWS tokens without the library under test: <see cref="Mint"/> for the usual case,
/// <see cref="Sign"/>, <see cref="SignHmac"/> and <see cref="Unsigned"/> for hostile tokens built from raw JSON.
/// </summary>
public static class TokenFactory
{
    /// <summary>Issuer of <see cref="GatewayConfig.Standard"/>.</summary>
    public const string Issuer = "https://issuer.test";

    /// <summary>Audience of <see cref="GatewayConfig.Standard"/>.</summary>
    public const string Audience = "api";

    /// <summary>The client id back-channel logout tokens are addressed to (an issuer's <c>LogoutAudiences</c>).</summary>
    public const string LogoutClient = "test-client";

    /// <summary>
    /// A token signed by <paramref name="key"/>. Times are offsets from now: <c>iat</c> and <c>nbf</c> default to now,
    /// <c>exp</c> to +5 minutes; pass <see cref="Omit"/> to leave a time claim out. <paramref name="claims"/> are added
    /// last and override anything (use them for <c>exp</c> as a string, say); <paramref name="remove"/> drops claims.
    /// <paramref name="kid"/> overrides the header's kid ("" leaves it out); <paramref name="alg"/> overrides the header's
    /// alg (the signature is still made with the key's own algorithm).
    /// </summary>
    public static string Mint(
        TestKey key,
        string? issuer = Issuer,
        string? audience = Audience,
        string? sub = "alice",
        string? sid = null,
        string? jti = null,
        long? ver = null,
        TimeSpan? iat = null,
        TimeSpan? nbf = null,
        TimeSpan? exp = null,
        IReadOnlyDictionary<string, object?>? claims = null,
        IEnumerable<string>? remove = null,
        string? typ = null,
        string? kid = null,
        string? alg = null,
        IReadOnlyDictionary<string, object?>? header = null)
    {
        var now = DateTimeOffset.UtcNow;
        var payload = new JsonObject();
        Put(payload, "iss", issuer);
        Put(payload, "aud", audience);
        Put(payload, "sub", sub);
        Put(payload, "sid", sid);
        Put(payload, "jti", jti ?? Guid.NewGuid().ToString("N"));
        if (ver is not null)
        {
            payload["ver"] = ver.Value;
        }

        PutTime(payload, "iat", now, iat ?? TimeSpan.Zero);
        PutTime(payload, "nbf", now, nbf ?? TimeSpan.Zero);
        PutTime(payload, "exp", now, exp ?? TimeSpan.FromMinutes(5));
        Merge(payload, claims);
        foreach (var name in remove ?? [])
        {
            payload.Remove(name);
        }

        var head = new JsonObject { ["alg"] = alg ?? key.Alg };
        if (typ is not null)
        {
            head["typ"] = typ;
        }

        if (kid is null)
        {
            head["kid"] = key.Kid;
        }
        else if (kid.Length > 0)
        {
            head["kid"] = kid;
        }

        Merge(head, header);
        return Sign(head.ToJsonString(), payload.ToJsonString(), key);
    }

    /// <summary>Pass as a time offset to <see cref="Mint"/> to leave that claim out.</summary>
    public static readonly TimeSpan Omit = TimeSpan.MinValue;

    /// <summary>Standard claims (iss, aud, sub, jti, iat, nbf, exp) as a JSON object, valid now, for raw builders.</summary>
    public static JsonObject Claims(string sub = "alice", string issuer = Issuer, string audience = Audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = issuer, ["aud"] = audience, ["sub"] = sub, ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + 300,
        };
    }

    /// <summary>base64url(header).base64url(payload).base64url(signature by key), the JSON taken verbatim.</summary>
    public static string Sign(string headerJson, string payloadJson, TestKey key)
    {
        var input = SigningInput(headerJson, payloadJson);
        return input + "." + Base64UrlEncoder.Encode(key.Sign(Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>An HMAC-SHA256 signature with the given secret (e.g. an RSA public key's bytes, for key confusion).</summary>
    public static string SignHmac(string headerJson, string payloadJson, byte[] secret)
    {
        var input = SigningInput(headerJson, payloadJson);
        return input + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>base64url(header).base64url(payload).signatureSegment, the segment taken as given ("" for a stripped signature).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Names what it builds: a token with no real signature.")]
    public static string Unsigned(string headerJson, string payloadJson, string signatureSegment = "") =>
        SigningInput(headerJson, payloadJson) + "." + signatureSegment;

    public static string SigningInput(string headerJson, string payloadJson) => B64(headerJson) + "." + B64(payloadJson);

    public static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>The decoded JSON of a token's header (0) or payload (1).</summary>
    public static JsonObject Part(string token, int index) =>
        JsonNode.Parse(Base64UrlEncoder.Decode(token.Split('.')[index]))!.AsObject();

    private static void Put(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static void PutTime(JsonObject target, string name, DateTimeOffset now, TimeSpan offset)
    {
        if (offset != Omit)
        {
            target[name] = now.Add(offset).ToUnixTimeSeconds();
        }
    }

    private static void Merge(JsonObject target, IReadOnlyDictionary<string, object?>? values)
    {
        foreach (var (name, value) in values ?? new Dictionary<string, object?>())
        {
            target[name] = value switch
            {
                null => null,
                JsonNode node => node.DeepClone(),
                _ => JsonSerializer.SerializeToNode(value),
            };
        }
    }
}

/// <summary>JWKS documents for tests.</summary>
public static class JwksDocument
{
    public static string Of(params TestKey[] keys) => Of(keys.Select(k => k.PublicJwk()));

    public static string Of(IEnumerable<JsonObject> jwks)
    {
        var array = new JsonArray();
        foreach (var jwk in jwks)
        {
            array.Add(jwk.DeepClone());
        }

        return new JsonObject { ["keys"] = array }.ToJsonString();
    }
}
