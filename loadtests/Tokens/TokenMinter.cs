using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LoadTests.Tokens;

/// <summary>The claims of a minted token.</summary>
/// <param name="Sub"><c>sub</c>.</param>
/// <param name="Sid"><c>sid</c>, if any.</param>
/// <param name="Jti"><c>jti</c>.</param>
/// <param name="IssuedAt"><c>iat</c> and <c>nbf</c>.</param>
/// <param name="Expires"><c>exp</c>.</param>
/// <param name="Version"><c>ver</c>, if any.</param>
/// <param name="Jkt">A DPoP key thumbprint: the token carries <c>cnf.jkt</c> and needs a proof by that key.</param>
internal readonly record struct TokenClaims(string Sub, string? Sid, string Jti, long IssuedAt, long Expires, long? Version = null, string? Jkt = null);

/// <summary>
/// Mints ES256 JWTs quickly (tens of thousands per second per core): a fixed header, a payload written with
/// <see cref="Utf8JsonWriter"/>, and an IEEE P1363 ECDSA signature, as JWS wants it. One ECDsa per thread.
/// </summary>
internal sealed class TokenMinter : IDisposable
{
    private readonly ThreadLocal<ECDsa> _ecdsa;
    private readonly byte[] _header;

    public TokenMinter(SigningKey key, string issuer, string audience, string? kidOverride = null)
    {
        Issuer = issuer;
        Audience = audience;
        _ecdsa = new ThreadLocal<ECDsa>(key.CreateEcdsa, trackAllValues: true);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = "ES256",
            ["typ"] = "JWT",
            ["kid"] = kidOverride ?? key.Kid,
        });
        _header = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(header));
    }

    public string Issuer { get; }

    public string Audience { get; }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public string Mint(in TokenClaims claims)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", Issuer);
            writer.WriteString("aud", Audience);
            writer.WriteString("sub", claims.Sub);
            if (claims.Sid is not null)
            {
                writer.WriteString("sid", claims.Sid);
            }

            writer.WriteString("jti", claims.Jti);
            writer.WriteNumber("iat", claims.IssuedAt);
            writer.WriteNumber("nbf", claims.IssuedAt);
            writer.WriteNumber("exp", claims.Expires);
            if (claims.Version is { } version)
            {
                writer.WriteNumber("ver", version);
            }

            if (claims.Jkt is { } jkt)
            {
                writer.WriteStartObject("cnf");
                writer.WriteString("jkt", jkt);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        var payloadLength = Base64Url.GetEncodedLength(payload.WrittenCount);
        var signingInput = new byte[_header.Length + 1 + payloadLength];
        _header.CopyTo(signingInput, 0);
        signingInput[_header.Length] = (byte)'.';
        Base64Url.EncodeToUtf8(payload.WrittenSpan, signingInput.AsSpan(_header.Length + 1));
        var signature = _ecdsa.Value!.SignData(signingInput, HashAlgorithmName.SHA256);
        return string.Create(signingInput.Length + 1 + Base64Url.GetEncodedLength(signature.Length), (signingInput, signature), static (span, state) =>
        {
            for (var i = 0; i < state.signingInput.Length; i++)
            {
                span[i] = (char)state.signingInput[i];
            }

            span[state.signingInput.Length] = '.';
            Base64Url.EncodeToChars(state.signature, span[(state.signingInput.Length + 1)..]);
        });
    }

    /// <summary>Mints <paramref name="count"/> tokens on all cores; <paramref name="claims"/> gives the i-th token's claims.</summary>
    public string[] MintMany(int count, Func<int, TokenClaims> claims, string prefix = "")
    {
        var tokens = new string[count];
        Parallel.For(0, count, i => tokens[i] = prefix + Mint(claims(i)));
        return tokens;
    }

    public void Dispose()
    {
        foreach (var ecdsa in _ecdsa.Values)
        {
            ecdsa.Dispose();
        }

        _ecdsa.Dispose();
    }
}
