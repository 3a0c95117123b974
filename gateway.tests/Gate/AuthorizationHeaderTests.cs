using Gateway.Gate;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Gate;

/// <summary>The Authorization header with both schemes the gate reads, Bearer (RFC 6750) and DPoP (RFC 9449 §7.1).</summary>
public sealed class AuthorizationHeaderTests
{
    public static TheoryData<string, string?, string, bool> Values => new()
    {
        { "Bearer a.b.c", "a.b.c", "Bearer", true },
        { "DPoP a.b.c", "a.b.c", "Dpop", true },
        { "dpop a.b.c", "a.b.c", "Dpop", true },
        { "DPOP   a.b.c  ", "a.b.c", "Dpop", true },
        { "  DPoP a.b.c", "a.b.c", "Dpop", true },
        { "DPoP\ta.b.c", null, "Dpop", true },
        { "DPoP a.b.c d.e.f", null, "Dpop", true },
        { "DPoP a.b.c,d.e.f", null, "Dpop", true },
        { "DPoP", null, "None", false },
        { "DPoP ", null, "None", false },
        { "DPoPa.b.c", null, "None", false },
        { "DPoPx a.b.c", null, "None", false },
        { "Basic dXNlcjpwYXNz", null, "None", false },
        { "", null, "None", false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Read_Value_TokenSchemeAndPresence(string value, string? token, string scheme, bool present)
    {
        var headers = new HeaderDictionary { ["Authorization"] = value };

        var read = AuthorizationHeader.Read(headers, out var readScheme, out var wasPresent);

        Assert.Equal(token, read?.ToString());
        Assert.Equal(Enum.Parse<AuthorizationScheme>(scheme), readScheme);
        Assert.Equal(present, wasPresent);
    }

    [Fact]
    public void Read_ReturnsASliceOfTheHeaderValue()
    {
        const string value = "  DPoP   eyJ.eyJ.sig ";
        var headers = new HeaderDictionary { ["Authorization"] = value };

        var read = AuthorizationHeader.Read(headers, out _, out _)!.Value;

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetString(read, out var text, out var start, out var length));
        Assert.Same(value, text);
        Assert.Equal("eyJ.eyJ.sig", value.Substring(start, length));
    }

    [Fact]
    public void Read_TwoAuthorizationHeaders_IsMalformed_WhateverTheirSchemes()
    {
        var headers = new HeaderDictionary { ["Authorization"] = new StringValues(["DPoP a.b.c", "Bearer a.b.c"]) };

        Assert.Null(AuthorizationHeader.Read(headers, out _, out var present));
        Assert.True(present);
    }

    [Theory]
    [InlineData("DPoP a.b.c")]
    [InlineData("dpop a.b.c")]
    public void ReadBearer_DpopScheme_IsNoBearerToken(string value)
    {
        var headers = new HeaderDictionary { ["Authorization"] = value };

        Assert.Null(AuthorizationHeader.ReadBearer(headers, out var present));
        Assert.False(present);
        Assert.Null(AuthorizationHeader.ReadBearerMemory(headers, out present));
        Assert.False(present);
    }

    [Fact]
    public void ReadDpopProof_ExactlyOneHeader_ReturnsIt_ElseNull()
    {
        Assert.Equal("p.q.r", AuthorizationHeader.ReadDpopProof(new HeaderDictionary { ["DPoP"] = "p.q.r" }));
        Assert.Null(AuthorizationHeader.ReadDpopProof(new HeaderDictionary()));
        Assert.Null(AuthorizationHeader.ReadDpopProof(new HeaderDictionary { ["DPoP"] = new StringValues(["p.q.r", "p.q.r"]) }));
    }
}
