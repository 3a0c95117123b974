using System.Net;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Proxy;

public sealed class AcceptedTokenTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    public static TheoryData<string> Algorithms => ["ES256", "RS256", "PS256"];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Get_ValidTokenOfEachAlgorithm_ForwardsWithIdentity(string alg)
    {
        var key = alg switch { "ES256" => fixture.Es256, "RS256" => fixture.Rs256, _ => fixture.Ps256 };
        var sub = "user-" + alg;
        var token = TokenFactory.Mint(key, sub: sub, sid: "s-" + alg);

        using var response = await fixture.Gateway.GetAsync($"/api/{alg}?q=1", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo($"/api/{alg}"));
        Assert.Equal($"/api/{alg}?q=1", seen.PathAndQuery);
        Assert.Equal(sub, seen.Header("X-Auth-Subject"));
        Assert.Equal("s-" + alg, seen.Header("X-Auth-Session"));
        Assert.Equal("Bearer " + token, seen.Header("Authorization"));
    }
}
