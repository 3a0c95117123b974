using System.Text.Json;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.Tests.Tokens;

public sealed class JwtDocumentTests
{
    private static readonly TypedClaims Typed = new(["exp", "iat"], ["sub", "jti"], ["iss", "aud", "ver"]);

    [Fact]
    public void Header_ReadsAlgKidTyp()
    {
        var document = Parse("""{"alg":"ES256","kid":"k1","typ":"at+jwt"}""", "{}");

        Assert.Equal("ES256", document.Alg);
        Assert.Equal("k1", document.Kid);
        Assert.Equal("at+jwt", document.Typ);
        Assert.False(document.HasHeader("jku"));
    }

    [Theory]
    [InlineData("""{"alg":"ES256","kid":1}""", true)]
    [InlineData("""{"alg":"ES256","kid":["k"]}""", true)]
    [InlineData("""{"alg":"ES256","kid":null}""", false)]
    [InlineData("""{"alg":"ES256","kid":"k"}""", false)]
    public void HasMistypedHeader_OnlyNonStringNonNull(string header, bool mistyped) =>
        Assert.Equal(mistyped, Parse(header, "{}").HasMistypedHeader("kid"));

    [Fact]
    public void HeaderAndPayloadMembers_AreKeptApart()
    {
        var document = Parse("""{"alg":"ES256","sub":"from-header"}""", """{"iss":"https://i","kid":"from-payload"}""");

        Assert.Null(document.String("sub"));
        Assert.Null(document.Kid);
        Assert.Equal("from-payload", document.String("kid"));
        Assert.Equal("https://i", document.String("iss"));
    }

    [Fact]
    public void String_UnescapesAndRefusesOtherTypes()
    {
        var document = Parse(Header, """{"sub":"a\u0062c\"d","iss":7,"x":null}""");

        Assert.Equal("abc\"d", document.String("sub"));
        Assert.Null(document.String("iss"));
        Assert.True(document.IsMistyped("iss"));
        Assert.Null(document.String("x"));
        Assert.Null(document.String("missing"));
        Assert.False(document.IsMistyped("missing"));
    }

    [Theory]
    [InlineData("""{"ver":12}""", true, 12L)]
    [InlineData("""{}""", true, null)]
    [InlineData("""{"ver":"12"}""", false, null)]
    [InlineData("""{"ver":1.5}""", false, null)]
    [InlineData("""{"ver":1e3}""", false, null)]
    [InlineData("""{"ver":-1}""", false, null)]
    [InlineData("""{"ver":253402300800}""", false, null)]
    [InlineData("""{"ver":{"v":1}}""", false, null)]
    public void TryReadInteger_AcceptsOnlyNumericDateLikeIntegers(string payload, bool ok, long? expected)
    {
        var document = Parse(Header, payload);

        Assert.Equal(ok, document.TryReadInteger("ver", out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("""{"aud":"api"}""", new[] { "api" })]
    [InlineData("""{"aud":["a","b"]}""", new[] { "a", "b" })]
    [InlineData("""{"aud":[]}""", new string[0])]
    [InlineData("""{}""", new string[0])]
    public void Audiences_StringOrArrayOfStrings(string payload, string[] expected) =>
        Assert.Equal(expected, Parse(Header, payload).Audiences());

    [Theory]
    [InlineData("""{"aud":1}""")]
    [InlineData("""{"aud":["a",1]}""")]
    [InlineData("""{"aud":{"a":"b"}}""")]
    [InlineData("""{"aud":null}""")]
    public void Audiences_OtherShapes_AreNull(string payload) =>
        Assert.Null(Parse(Header, payload).Audiences());

    [Fact]
    public void TryGetElement_ReturnsTheWholeContainer_AndMembersAfterItStillRead()
    {
        var document = Parse(Header, """{"cnf":{"jkt":"x","nested":{"a":[1,2]}},"scp":["r","w"],"sub":"after"}""");

        Assert.True(document.TryGetElement("cnf", out var cnf));
        Assert.Equal("x", cnf.GetProperty("jkt").GetString());
        Assert.Equal(2, cnf.GetProperty("nested").GetProperty("a").GetArrayLength());
        Assert.True(document.TryGetElement("scp", out var scp));
        Assert.Equal(JsonValueKind.Array, scp.ValueKind);
        Assert.Equal("after", document.String("sub"));
        Assert.False(document.TryGetElement("missing", out _));
    }

    [Fact]
    public void EscapedName_IsTheSameMemberAsItsPlainSpelling()
    {
        // "\u0073ub" is "sub": read by its name, and a duplicate of a plain "sub".
        Assert.Equal("x", Parse(Header, """{"\u0073ub":"x"}""").String("sub"));
        Assert.Equal(TokenShapeVerdict.Malformed, TokenShape.Parse(TokenFactory.Unsigned(Header, """{"sub":"x","\u0073ub":"y"}""", "c2ln").AsMemory(), Typed, out _));
    }

    private const string Header = """{"alg":"ES256"}""";

    private static JwtDocument Parse(string header, string payload) => Parse(TokenFactory.Unsigned(header, payload, "c2ln"));

    private static JwtDocument Parse(string token)
    {
        Assert.Equal(TokenShapeVerdict.WellFormed, TokenShape.Parse(token.AsMemory(), Typed, out var document));
        return document!;
    }
}
