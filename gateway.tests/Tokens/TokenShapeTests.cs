using System.Text;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class TokenShapeTests
{
    private static readonly TypedClaims IntegerClaims = new(["exp", "nbf", "iat", "auth_time", "ver"], ["sub", "sid", "jti"]);
    private const string Header = "{\"alg\":\"ES256\",\"kid\":\"k\"}";

    [Theory]
    [InlineData("{\"sub\":\"a\",\"exp\":1700000000}")]
    [InlineData("{\"sub\":\"a\",\"exp\":0,\"ver\":12,\"nested\":{\"exp\":\"x\"}}")]
    [InlineData("{\"sub\":\"a\",\"list\":[{\"a\":1},{\"a\":2}]}")]
    public void Check_WellFormed_ReturnsWellFormed(string payload) =>
        Assert.Equal(TokenShapeVerdict.WellFormed, TokenShape.Check(Token(payload), IntegerClaims));

    [Theory]
    [InlineData("{\"exp\":\"1700000000\"}")]
    [InlineData("{\"exp\":1700000000.0}")]
    [InlineData("{\"exp\":17e8}")]
    [InlineData("{\"nbf\":1E3}")]
    [InlineData("{\"iat\":true}")]
    [InlineData("{\"iat\":null}")]
    [InlineData("{\"auth_time\":[1]}")]
    [InlineData("{\"ver\":{\"v\":1}}")]
    [InlineData("{\"exp\":-5}")]
    [InlineData("{\"exp\":253402300800}")]
    [InlineData("{\"sub\":[\"a\",\"b\"]}")]
    [InlineData("{\"sid\":42}")]
    public void Check_MistypedClaim_ReturnsInvalidClaim(string payload) =>
        Assert.Equal(TokenShapeVerdict.InvalidClaim, TokenShape.Check(Token(payload), IntegerClaims));

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
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(Token(payload), IntegerClaims));

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
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(token, IntegerClaims));

    [Fact]
    public void Check_DuplicateHeaderMember_ReturnsMalformed() =>
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(
            TokenFactory.Unsigned("{\"alg\":\"ES256\",\"alg\":\"none\"}", "{}", "x"), IntegerClaims));

    [Fact]
    public void Check_StringExpInHeader_IsNotAPayloadClaim() =>
        Assert.Equal(TokenShapeVerdict.WellFormed, TokenShape.Check(
            TokenFactory.Unsigned("{\"alg\":\"ES256\",\"exp\":\"x\"}", "{\"exp\":1}", "x"), IntegerClaims));

    [Fact]
    public void IsWellFormed_NonIntegerClaim_IsStillWellFormed() =>
        Assert.True(TokenShape.IsWellFormed(Token("{\"exp\":\"1\"}")));

    [Fact]
    public void HasUniqueMembers_Duplicate_ReturnsFalse() =>
        Assert.False(TokenShape.HasUniqueMembers(Encoding.UTF8.GetBytes("{\"a\":1,\"a\":1}")));

    [Fact]
    public void Check_AfterAWalkThatStoppedMidway_NamesOfTheNextTokenAreJudgedAfresh()
    {
        // The member-name sets are reused per thread: one left mid-walk (a duplicate deep inside) must not leak.
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(Token("""{"sub":"a","cnf":{"jkt":"x","o":{"k":1,"k":2}}}"""), IntegerClaims));
        Assert.Equal(TokenShapeVerdict.WellFormed, TokenShape.Check(Token("""{"sub":"a","cnf":{"jkt":"x","o":{"k":1}}}"""), IntegerClaims));
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(Token("""{"sub":"a","cnf":{"jkt":"x","jkt":"y"}}"""), IntegerClaims));
        Assert.Equal(TokenShapeVerdict.WellFormed, TokenShape.Check(Token("""{"sub":"a","k":[{"k":1},{"k":1}]}"""), IntegerClaims));
    }

    [Fact]
    public void Check_InvalidUtf8InAMemberNobodyReads_ReturnsMalformed()
    {
        // 0xC3 0x28 is not UTF-8: the parse decodes only what the gateway reads, so the whole JSON is checked first.
        var payload = System.Text.Encoding.UTF8.GetBytes("{\"sub\":\"a\",\"x\":\"??\"}");
        payload[^4] = 0xC3;
        payload[^3] = 0x28;
        var token = Gateway.Testing.Attacks.Jose.B64(Encoding.UTF8.GetBytes(Header)) + "." + Gateway.Testing.Attacks.Jose.B64(payload) + ".c2ln";

        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(token, IntegerClaims));
    }

    [Theory]
    [InlineData("""{"sub":"a","x":{"y":"\ud800"}}""")]
    [InlineData("""{"sub":"a","x":["\udc00"]}""")]
    [InlineData("""{"\ud800":1}""")]
    public void Check_LoneSurrogateEscapeAnywhere_ReturnsMalformed(string payload) =>
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Check(Token(payload), IntegerClaims));

    private static string Token(string payload) => TokenFactory.Unsigned(Header, payload, "c2ln");
}
