using Gateway.Gate;
using Gateway.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Proxy;

public sealed class BearerHeaderTests
{
    [Theory]
    [InlineData("Bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("bearer abc.def.ghi", "abc.def.ghi")]
    [InlineData("BEARER abc.def.ghi", "abc.def.ghi")]
    [InlineData("  Bearer abc.def.ghi  ", "abc.def.ghi")]
    [InlineData("Bearer   abc.def.ghi", "abc.def.ghi")]
    [InlineData("\t Bearer   abc.def.ghi  ", "abc.def.ghi")]
    public void ReadBearer_OneBearerToken_ReturnsIt(string header, string expected)
    {
        var token = AuthorizationHeader.ReadBearer(Headers(header), out var present);

        Assert.Equal(expected, token);
        Assert.True(present);
    }

    [Theory]
    [InlineData("Basic YWxpY2U6cw==")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearerabc.def.ghi")]
    [InlineData("Token abc.def.ghi")]
    [InlineData("")]
    public void ReadBearer_NoBearerToken_ReturnsNullNotPresent(string header)
    {
        Assert.Null(AuthorizationHeader.ReadBearer(Headers(header), out var present));
        Assert.False(present);
    }

    [Theory]
    [InlineData("Bearer a.b.c d.e.f")]
    [InlineData("Bearer a.b.c,d.e.f")]
    [InlineData("Bearer a.b.c\td.e.f")]
    public void ReadBearer_AmbiguousValue_ReturnsNullPresent(string header)
    {
        Assert.Null(AuthorizationHeader.ReadBearer(Headers(header), out var present));
        Assert.True(present);
    }

    [Fact]
    public void ReadBearer_TwoHeaders_ReturnsNullPresent()
    {
        var headers = new HeaderDictionary { ["Authorization"] = new StringValues(["Bearer a.b.c", "Bearer a.b.c"]) };

        Assert.Null(AuthorizationHeader.ReadBearer(headers, out var present));
        Assert.True(present);
    }

    [Fact]
    public void ReadBearer_NoHeader_ReturnsNullNotPresent()
    {
        Assert.Null(AuthorizationHeader.ReadBearer(new HeaderDictionary(), out var present));
        Assert.False(present);
    }

    private static HeaderDictionary Headers(string authorization) => new() { ["Authorization"] = authorization };
}
