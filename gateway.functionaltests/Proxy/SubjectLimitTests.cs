using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Proxy;

/// <summary><c>sub</c> becomes a header and a store key: at most 256 printable ASCII characters.</summary>
public sealed class SubjectLimitTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    [Fact]
    public async Task Subject_Of256Characters_IsAccepted()
    {
        using var response = await fixture.Gateway.GetAsync("/api/x", fixture.Token(sub: new string('a', 256)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Subject_LongerThan256Characters_IsRefused()
    {
        var before = fixture.Backend.Requests.Count;
        using var response = await fixture.Gateway.GetAsync("/api/x", fixture.Token(sub: new string('a', 257)));
        await Refusals.AssertInvalidTokenAsync(response, "invalid_claim");
        Assert.Equal(before, fixture.Backend.Requests.Count);
    }
}
