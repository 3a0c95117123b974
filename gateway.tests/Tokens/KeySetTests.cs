using System.Text.Json.Nodes;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class KeySetTests
{
    private static readonly TestKey EsKey = TestKey.Es256("es");
    private static readonly TestKey RsKey = TestKey.Rs256("rs");
    private static readonly TestKey Es384Key = TestKey.Es384("es384");

    [Theory]
    [InlineData("es", "ES256", true)]
    [InlineData("es", "ES384", false)]
    [InlineData("es", "RS256", false)]
    [InlineData("es", "HS256", false)]
    [InlineData("rs", "RS256", true)]
    [InlineData("rs", "PS256", false)]
    [InlineData("rs", "HS256", false)]
    [InlineData("rs", "ES256", false)]
    [InlineData("es384", "ES256", false)]
    [InlineData("es384", "ES384", true)]
    [InlineData("missing", "ES256", false)]
    public void Find_ByKid_OnlyWithinTheKeysAlgorithm(string kid, string alg, bool found)
    {
        var set = KeySet.Parse(JwksDocument.Of(EsKey, RsKey, Es384Key), DateTimeOffset.UtcNow);

        Assert.Equal(found, set.Find(kid, alg) is not null);
    }

    [Fact]
    public void Find_KeyWithoutAlg_UsableByEveryAlgorithmOfItsFamily()
    {
        var set = KeySet.Parse(JwksDocument.Of([RsKey.PublicJwk(includeAlg: false)]), DateTimeOffset.UtcNow);

        Assert.NotNull(set.Find("rs", "RS256"));
        Assert.NotNull(set.Find("rs", "PS256"));
        Assert.Null(set.Find("rs", "HS256"));
    }

    [Fact]
    public void Find_NoKidAndOneFittingKey_ReturnsIt()
    {
        var set = KeySet.Parse(JwksDocument.Of(EsKey, RsKey), DateTimeOffset.UtcNow);

        Assert.Equal("es", set.Find(null, "ES256")!.Jwk.Kid);
    }

    [Fact]
    public void Find_NoKidAndTwoFittingKeys_ReturnsNothing()
    {
        using var other = TestKey.Es256("es2");
        var set = KeySet.Parse(JwksDocument.Of(EsKey, other), DateTimeOffset.UtcNow);

        Assert.Null(set.Find(null, "ES256"));
    }

    [Fact]
    public void Parse_EncryptionKeys_AreSkipped()
    {
        var enc = RsKey.PublicJwk();
        enc["use"] = "enc";
        enc["kid"] = "enc";

        var set = KeySet.Parse(JwksDocument.Of([EsKey.PublicJwk(), enc]), DateTimeOffset.UtcNow);

        Assert.Equal(1, set.Count);
        Assert.Null(set.Find("enc", "RS256"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"keys\":{}}")]
    [InlineData("{\"keys\":[]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"x\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"kid\":\"x\"}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\",\"kid\":\"x\"}]}")]
    public void Parse_Malformed_ThrowsFormatException(string json) =>
        Assert.Throws<FormatException>(() => KeySet.Parse(json, DateTimeOffset.UtcNow));

    [Fact]
    public async Task Parse_ValidSet_KeysVerifyTheirOwnSignatures()
    {
        var set = KeySet.Parse(JwksDocument.Of(EsKey, RsKey), DateTimeOffset.UtcNow);
        var token = TokenFactory.Mint(RsKey);
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();

        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            IssuerSigningKey = set.Find("rs", "RS256")!.Key,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
    }
}
