using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>
/// The standard gateway with an ASP.NET authorization policy provider that counts how often it is asked. ASP.NET's
/// authorization middleware asks it (for the fallback policy) on every request it sees; nothing else in the gateway does.
/// </summary>
public sealed class CountedAuthorizationGateway : StandardGateway
{
    public CountingPolicyProvider Policies { get; } = new();

    protected override GatewayHostOptions HostOptions() => new()
    {
        Configure = builder => builder.Services.AddSingleton<IAuthorizationPolicyProvider>(Policies),
    };

    public sealed class CountingPolicyProvider : IAuthorizationPolicyProvider
    {
        private readonly DefaultAuthorizationPolicyProvider _inner = new(Options.Create(new AuthorizationOptions()));
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public Task<AuthorizationPolicy> GetDefaultPolicyAsync()
        {
            Interlocked.Increment(ref _asked);
            return _inner.GetDefaultPolicyAsync();
        }

        public Task<AuthorizationPolicy?> GetFallbackPolicyAsync()
        {
            Interlocked.Increment(ref _asked);
            return _inner.GetFallbackPolicyAsync();
        }

        public Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
        {
            Interlocked.Increment(ref _asked);
            return _inner.GetPolicyAsync(policyName);
        }
    }
}

public sealed class RequestPipelineTests(CountedAuthorizationGateway fixture) : IClassFixture<CountedAuthorizationGateway>
{
    [Fact]
    public async Task Get_ProxiedAndRefusedRequests_NoAspNetAuthorizationRuns()
    {
        // A route's AuthorizationPolicy is the gateway's own key and no endpoint uses ASP.NET authorization, so the
        // middleware WebApplication would add (YARP registers authorization) is left out: it cost every request an async
        // frame and a policy lookup, and could not authorize anything anyway (it ran ahead of routing).
        var before = fixture.Policies.Asked;

        using (var allowed = await fixture.Gateway.GetAsync("/api/pipeline", fixture.Token()))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var refused = await fixture.Gateway.GetAsync("/api/pipeline"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var ready = await fixture.Gateway.AdminClient.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        Assert.Equal(before, fixture.Policies.Asked);
    }
}
