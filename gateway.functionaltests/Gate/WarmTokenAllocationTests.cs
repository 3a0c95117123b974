using System.Net;
using Gateway.Gate;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;

namespace Gateway.FunctionalTests.Gate;

/// <summary>
/// The gate's check of a token it has verified, for a user whose state it holds, on the running gateway's own
/// services: it is on every request's path, so it must allocate nothing (README, "Performance").
/// </summary>
public sealed class WarmTokenAllocationTests(StandardGateway fixture) : IClassFixture<StandardGateway>
{
    [Fact]
    public async Task CheckAsync_WarmTokenOfWarmUser_PassesWithoutAllocating()
    {
        var token = fixture.Token(sub: "warm-alloc");
        using (var warmUp = await fixture.Gateway.GetAsync("/api/warm", token))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var services = fixture.Gateway.Services;
        var gate = services.GetRequiredService<TokenGate>();
        Assert.True(services.GetRequiredService<IProxyStateLookup>().TryGetRoute("api", out var route));
        var policy = services.GetRequiredService<RoutePolicyCache>().Get(route.Config);
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + token;

        Assert.Null(JudgedAtOnce(gate, context, policy).Refusal);

        var perCall = Allocations.PerCall(() => JudgedAtOnce(gate, context, policy));

        Assert.True(perCall < 1, $"the warm check allocated {perCall:0.#} bytes a call");
    }

    private static GateVerdict JudgedAtOnce(TokenGate gate, HttpContext context, RoutePolicy policy)
    {
        var judging = gate.CheckAsync(context, policy);
        return judging.IsCompletedSuccessfully
            ? judging.Result
            : throw new InvalidOperationException("a warm token of a warm user must be judged without waiting");
    }
}
