using Gateway.Testing.Attacks;
using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.FunctionalTests.Security;

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
        if (attack.Reason == Reasons.Missing.Code)
        {
            await Refusals.AssertMissingTokenAsync(response);
        }
        else if (Reasons.Find(attack.Reason)?.Shape == RefusalShape.InvalidDpopProof)
        {
            await Refusals.AssertDpopRefusalAsync(response, attack.Reason);
        }
        else
        {
            await Refusals.AssertInvalidTokenAsync(response, attack.Reason);
        }

        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    [Fact]
    public async Task Proxy_TwoAuthorizationHeaderLines_RefusedAsMalformed()
    {
        // HttpClient folds repeated values into one line; a raw request sends two separate header lines.
        var token = Jose.Valid();
        var path = "/api/header/two-lines";
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(fixture.Gateway.PublicUrl.Host, fixture.Gateway.PublicUrl.Port);
        await using var stream = client.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 401", response, StringComparison.Ordinal);
        Assert.Contains("error_description=\"malformed_token\"", response, StringComparison.Ordinal);
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
