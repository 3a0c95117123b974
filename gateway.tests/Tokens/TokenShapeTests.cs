using System.Text;
using Gateway.Tests.TestInfrastructure;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class TokenShapeTests
{
    private static readonly HashSet<string> IntegerClaims = new(["exp", "nbf", "iat", "auth_time", "ver"], StringComparer.Ordinal);
    private const string Header = "{\"alg\":\"ES256\",\"kid\":\"k\"}";

    [Theory]
    [InlineData("{\"sub\":\"a\",\"exp\":1700000000}")]
    [InlineData("{\"sub\":\"a\",\"exp\":0,\"ver\":12,\"nested\":{\"exp\":\"x\"}}")]
    [InlineData("{\"sub\":\"a\",\"list\":[{\"a\":1},{\"a\":2}]}")]
    [InlineData("{\"sub\":\"a\",\"exp\":-5}")]
    public void Check_WellFormed_ReturnsWellFormed(string payload) =>
        Assert.Equal(TokenShapeResult.WellFormed, TokenShape.Check(Token(payload), IntegerClaims));

    [Theory]
    [InlineData("{\"exp\":\"1700000000\"}")]
    [InlineData("{\"exp\":1700000000.0}")]
    [InlineData("{\"exp\":17e8}")]
    [InlineData("{\"nbf\":1E3}")]
    [InlineData("{\"iat\":true}")]
    [InlineData("{\"iat\":null}")]
    [InlineData("{\"auth_time\":[1]}")]
    [InlineData("{\"ver\":{\"v\":1}}")]
    public void Check_NonIntegerTimeOrVersion_ReturnsNonIntegerClaim(string payload) =>
        Assert.Equal(TokenShapeResult.NonIntegerClaim, TokenShape.Check(Token(payload), IntegerClaims));

    [Theory]
    [InlineData("{\"sub\":\"a\",\"sub\":\"b\"}")]
    [InlineData("{\"o\":{\"k\":1,\"k\":2}}")]
    [InlineData("{\"sub\":\"a\"} {}")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":[[[[[[[[[[1]]]]]]]]]]}")]
    [InlineData("{\"sub\":\"a\"")]
    [InlineData("")]
    public void Check_BadPayloadJson_ReturnsMalformed(string payload) =>
        Assert.Equal(TokenShapeResult.Malformed, TokenShape.Check(Token(payload), IntegerClaims));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a.b.c.d")]
    [InlineData("eyJ9.eyJ9.")]
    [InlineData("e+J9.eyJ9.x")]
    [InlineData("eyJhbGciOiJFUzI1NiJ9=.e30.x")]
    public void Check_BadStructure_ReturnsMalformed(string token) =>
        Assert.Equal(TokenShapeResult.Malformed, TokenShape.Check(token, IntegerClaims));

    [Fact]
    public void Check_DuplicateHeaderMember_ReturnsMalformed() =>
        Assert.Equal(TokenShapeResult.Malformed, TokenShape.Check(
            TokenFactory.Unsigned("{\"alg\":\"ES256\",\"alg\":\"none\"}", "{}", "x"), IntegerClaims));

    [Fact]
    public void Check_StringExpInHeader_IsNotAPayloadClaim() =>
        Assert.Equal(TokenShapeResult.WellFormed, TokenShape.Check(
            TokenFactory.Unsigned("{\"alg\":\"ES256\",\"exp\":\"x\"}", "{\"exp\":1}", "x"), IntegerClaims));

    [Fact]
    public void IsWellFormed_NonIntegerClaim_IsStillWellFormed() =>
        Assert.True(TokenShape.IsWellFormed(Token("{\"exp\":\"1\"}")));

    [Fact]
    public void HasUniqueMembers_Duplicate_ReturnsFalse() =>
        Assert.False(TokenShape.HasUniqueMembers(Encoding.UTF8.GetBytes("{\"a\":1,\"a\":1}")));

    private static string Token(string payload) => TokenFactory.Unsigned(Header, payload, "c2ln");
}
