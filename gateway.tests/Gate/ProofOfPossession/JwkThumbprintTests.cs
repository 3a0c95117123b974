using Gateway.Testing.Attacks;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Gate.ProofOfPossession;

using Gateway.Testing;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class JwkThumbprintTests
{
    // RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    private const string RfcKey = """
        {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
        """;

    [Fact]
    public void TryCompute_Rfc7638ExampleKey_GivesTheRfcThumbprint()
    {
        Assert.True(JwkThumbprint.TryCompute(RfcKey, out var thumbprint));

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", thumbprint);
    }

    [Fact]
    public void TryCompute_EcKeyWithExtraMembersInAnyOrder_HashesTheRequiredMembersInOrder()
    {
        using var key = TestKey.Es256();
        var jwk = key.PublicJwk();
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{jwk["x"]}}","y":"{{jwk["y"]}}"}""";
        var shuffled = new JsonObject { ["y"] = jwk["y"]!.GetValue<string>(), ["use"] = "sig", ["x"] = jwk["x"]!.GetValue<string>(), ["kid"] = "k", ["kty"] = "EC", ["crv"] = "P-256", ["alg"] = "ES256" };

        Assert.True(JwkThumbprint.TryCompute(shuffled.ToJsonString(), out var thumbprint));

        Assert.Equal(Jose.B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), thumbprint);
    }

    [Theory]
    [InlineData("P-384", 48)]
    [InlineData("P-521", 66)]
    public void TryCompute_OtherCurves_Computed(string crv, int size)
    {
        var x = Jose.B64(RandomNumberGenerator.GetBytes(size));
        var y = Jose.B64(RandomNumberGenerator.GetBytes(size));
        var canonical = $$"""{"crv":"{{crv}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""";

        Assert.True(JwkThumbprint.TryCompute(canonical, out var thumbprint));

        Assert.Equal(Jose.B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), thumbprint);
    }

    [Fact]
    public void TryCompute_OkpEd25519_HashesCrvKtyX()
    {
        var x = Jose.B64(RandomNumberGenerator.GetBytes(32));
        var canonical = $$"""{"crv":"Ed25519","kty":"OKP","x":"{{x}}"}""";

        Assert.True(JwkThumbprint.TryCompute($$"""{"x":"{{x}}","kty":"OKP","crv":"Ed25519"}""", out var thumbprint));

        Assert.Equal(Jose.B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), thumbprint);
    }

    [Theory]
    [InlineData("d")]
    [InlineData("p")]
    [InlineData("q")]
    [InlineData("dp")]
    [InlineData("dq")]
    [InlineData("qi")]
    [InlineData("k")]
    [InlineData("oth")]
    public void TryCompute_PrivateMember_Refused(string member)
    {
        var jwk = JsonNode.Parse(RfcKey)!.AsObject();
        jwk[member] = "AQAB";

        Assert.False(JwkThumbprint.TryCompute(jwk.ToJsonString(), out _));
        using var document = System.Text.Json.JsonDocument.Parse(jwk.ToJsonString());
        Assert.Equal(PublicJwkStatus.Private, PublicJwk.TryParse(document.RootElement, out _));
    }

    [Theory]
    [InlineData("""{"kty":"oct","k":"c2VjcmV0"}""")]
    [InlineData("""{"kty":"oct"}""")]
    [InlineData("""{"kty":"XYZ","x":"AA"}""")]
    [InlineData("""{"crv":"P-256","x":"AA","y":"AA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}""")]
    [InlineData("""{"kty":"EC","crv":"secp256k1","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"EC","crv":"P-256","x":1,"y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"RSA","n":"AQAB","e":"AQAB"}""")]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""")]
    [InlineData("""{"kty":"EC","kty":"RSA"}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public void TryCompute_SymmetricUnknownOrMalformed_Refused(string json)
    {
        Assert.False(JwkThumbprint.TryCompute(json, out var thumbprint));
        Assert.Null(thumbprint);
    }

    [Fact]
    public void TryCompute_CoordinateWithNonCanonicalTrailingBits_Refused()
    {
        using var key = TestKey.Es256();
        var jwk = key.PublicJwk();
        var x = jwk["x"]!.GetValue<string>();
        // 32 bytes are 43 characters whose last carries 2 unused bits: setting them spells the same bytes another way.
        var last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(x[^1], StringComparison.Ordinal);
        jwk["x"] = x[..^1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1];

        Assert.False(JwkThumbprint.TryCompute(jwk.ToJsonString(), out _));
    }
}
