using Gateway.Gate;
using Gateway.Proxy;
using Gateway.Testing.Attacks;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Gate;

/// <summary>Identity headers set from a verified token; the scope header costs no new string per forwarded request.</summary>
public sealed class IdentityHeadersTests(VerifierFixture fixture) : IClassFixture<VerifierFixture>
{
    private readonly IdentityHeaders _headers = new(Options.Create(new ProxyOptions
    {
        IdentityHeaders = new IdentityHeaderOptions { Scopes = "X-Auth-Scopes", Issuer = "X-Auth-Issuer" },
    }));

    [Fact]
    public async Task Set_ScopesOfASharedList_AreOneStringForEveryRequestAndToken()
    {
        var a = await Verify("read write");
        var b = await Verify("read write");

        var first = Set(a);
        var again = Set(a);
        var other = Set(b);

        Assert.Equal("read write", first["X-Auth-Scopes"].ToString());
        Assert.Same(first["X-Auth-Scopes"].ToString(), again["X-Auth-Scopes"].ToString());
        Assert.Same(first["X-Auth-Scopes"].ToString(), other["X-Auth-Scopes"].ToString());
        Assert.Equal(a.Issuer, first["X-Auth-Issuer"].ToString());
    }

    [Fact]
    public async Task Set_TokenWithoutScopes_SetsNoScopeHeader()
    {
        var token = await Verify(null);

        Assert.False(Set(token).ContainsKey("X-Auth-Scopes"));
    }

    [Fact]
    public async Task Set_ScopesPastTheSharedBound_AreStillJoinedInOrder()
    {
        // A token built by hand (as admin calls and tests do) carries its list without a joined copy.
        var token = (await Verify("read")) with { Scopes = ["b", "a", "c"] };

        Assert.Equal("b a c", Set(token)["X-Auth-Scopes"].ToString());
    }

    private HeaderDictionary Set(VerifiedToken token)
    {
        var headers = new HeaderDictionary();
        _headers.Set(headers, token);
        return headers;
    }

    private async Task<VerifiedToken> Verify(string? scope)
    {
        var claims = Jose.Claims();
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        var result = await fixture.Verifier.VerifyFreshAsync(Jose.Sign(Jose.Header(), claims, Jose.Legit), CancellationToken.None);
        Assert.True(result.IsValid, result.Reason);
        return result.Token!;
    }
}
