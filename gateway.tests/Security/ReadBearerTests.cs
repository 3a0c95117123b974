using Gateway.Gate;
using Gateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Security;

/// <summary>Authorization values no HTTP client will send (control characters), straight into the header parser.</summary>
public sealed class ReadBearerTests
{
    public static TheoryData<string, string?, bool> Values => new()
    {
        { "Bearer a.b.c", "a.b.c", true },
        { "bearer a.b.c", "a.b.c", true },
        { "Bearer  a.b.c", "a.b.c", true },
        { "Bearer\ta.b.c", null, true },
        { "Bearer a.b.c\r\nX-Injected: 1", null, true },
        { "Bearer a.b\0.c", "a.b\0.c", true },
        { "Bearer a.b.c,", null, true },
        { "Bearer a.b.c, Bearer d.e.f", null, true },
        { "Bearer\u00a0a.b.c", null, false },
        { "Bearer", null, false },
        { "Bearer ", null, false },
        { "", null, false },
        { "Basic dXNlcjpwYXNz", null, false },
        { "Bearerx a.b.c", null, false },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void ReadBearer_Value_TokenOrRefusal(string value, string? token, bool present)
    {
        var headers = new HeaderDictionary { ["Authorization"] = value };

        var read = AuthorizationHeader.ReadBearer(headers, out var wasPresent);

        Assert.Equal(token, read);
        Assert.Equal(present, wasPresent);
    }

    [Fact]
    public void ReadBearer_TwoValues_PresentButRefused()
    {
        var headers = new HeaderDictionary { ["Authorization"] = new Microsoft.Extensions.Primitives.StringValues(["Bearer a.b.c", "Bearer a.b.c"]) };

        Assert.Null(AuthorizationHeader.ReadBearer(headers, out var present));
        Assert.True(present);
    }
}
