using System.Net;
using Gateway.Tests.TestInfrastructure;
using Gateway.Tokens;

namespace Gateway.Tests.Security;

/// <summary>
/// Every catalogued attack through a real gateway: 401 with the RFC 6750 challenge naming the reason, never a 5xx,
/// and the backend never sees the request. Each case uses its own path so the backend's log tells them apart.
/// </summary>
public sealed class GatewayAttackTests(AttackGateway fixture) : IClassFixture<AttackGateway>
{
    [Theory]
    [MemberData(nameof(AttackCatalog.TokenAttackNames), MemberType = typeof(AttackCatalog))]
    public async Task Proxy_AttackToken_RefusedAndNotForwarded(string name)
    {
        var attack = AttackCatalog.TokenAttack(name);
        var path = "/api/attack/" + name;
        if (!attack.IsHttpFieldSafe)
        {
            await AssertRefusedByTransportAsync(path, attack);
            return;
        }

        using var response = await fixture.Gateway.SendAsync(fixture.Request(path, attack.Authorization));

        await Refusals.AssertInvalidTokenAsync(response, attack.Reason);
        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.HeaderAttackNames), MemberType = typeof(AttackCatalog))]
    public async Task Proxy_AuthorizationHeaderVariant_RefusedAndNotForwarded(string name)
    {
        var attack = AttackCatalog.HeaderAttack(name);
        var path = "/api/header/" + name;

        using var response = await fixture.Gateway.SendAsync(fixture.Request(path, attack.Authorization));

        // No bearer credential at all (another scheme, nothing after "Bearer") is RFC 6750 3.1's bare challenge.
        if (attack.Reason == TokenReasons.Missing)
        {
            await Refusals.AssertMissingTokenAsync(response);
        }
        else
        {
            await Refusals.AssertInvalidTokenAsync(response, attack.Reason);
        }

        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    // CR, LF, NUL or non-ASCII in a header value: the client will not send it, or Kestrel answers 400.
    private async Task AssertRefusedByTransportAsync(string path, AttackCase attack)
    {
        try
        {
            using var response = await fixture.Gateway.SendAsync(fixture.Request(path, attack.Authorization));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        catch (HttpRequestException)
        {
        }

        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    [Theory]
    [MemberData(nameof(AttackCatalog.AcceptedNames), MemberType = typeof(AttackCatalog))]
    public async Task Proxy_PositiveControl_Forwarded(string name)
    {
        var accepted = AttackCatalog.AcceptedCase(name);
        var path = "/api/ok/" + name;

        using var response = await fixture.Gateway.SendAsync(fixture.Request(path, accepted.Authorization));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Backend.RequestsTo(path));
    }
}
