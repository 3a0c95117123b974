using System.Net.Http.Headers;
using Gateway.Gate;
using Gateway.Proxy;
using Gateway.Testing.Attacks;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Gate;

/// <summary>
/// Identity headers stripped from an outgoing request in every spelling that folds to them, and set from a verified
/// token; the scope header costs no new string per forwarded request.
/// </summary>
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

        Assert.Equal("read write", Value(first, "X-Auth-Scopes"));
        Assert.Same(Value(first, "X-Auth-Scopes"), Value(again, "X-Auth-Scopes"));
        Assert.Same(Value(first, "X-Auth-Scopes"), Value(other, "X-Auth-Scopes"));
        Assert.Equal(a.Issuer, Value(first, "X-Auth-Issuer"));
    }

    [Fact]
    public async Task Set_TokenWithoutScopes_SetsNoScopeHeader()
    {
        var token = await Verify(null);

        Assert.False(Set(token).Contains("X-Auth-Scopes"));
    }

    [Fact]
    public async Task Set_ScopesPastTheSharedBound_AreStillJoinedInOrder()
    {
        // A token built by hand (as admin calls and tests do) carries its list without a joined copy.
        var token = (await Verify("read")) with { Scopes = ["b", "a", "c"] };

        Assert.Equal("b a c", Value(Set(token), "X-Auth-Scopes"));
    }

    [Fact]
    public void Strip_OutgoingRequest_RemovesEverySpellingThatFoldsToAnIdentityHeader_AndNothingElse()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://backend/");
        request.Headers.TryAddWithoutValidation("X-Auth-Scopes", "admin");
        request.Headers.TryAddWithoutValidation("x_auth_scopes", "admin");
        request.Headers.TryAddWithoutValidation("X_AUTH-ISSUER", "https://evil.example");
        request.Headers.TryAddWithoutValidation("X-Auth-Scope", "near miss");
        request.Headers.TryAddWithoutValidation("Accept", "text/plain");
        request.Content = new StringContent("body");
        request.Content.Headers.TryAddWithoutValidation("x-auth-issuer", "in the content headers");

        _headers.Strip(request);

        Assert.Equal(["Accept", "X-Auth-Scope"], request.Headers.NonValidated.Select(h => h.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["Content-Type"], request.Content.Headers.NonValidated.Select(h => h.Key));
    }

    [Fact]
    public void Strip_IncomingRequest_RemovesEverySpellingThatFoldsToAnIdentityHeader_AndNothingElse()
    {
        var headers = new HeaderDictionary
        {
            ["x_auth_scopes"] = "admin",
            ["X-AUTH-ISSUER"] = "https://evil.example",
            ["X-Auth-Issuers"] = "near miss",
        };

        _headers.Strip(headers);

        Assert.Equal(["X-Auth-Issuers"], headers.Keys);
    }

    [Fact]
    public async Task Set_AfterStrip_TheTokensValueIsTheOnlyOne()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("X-Auth-Issuer", "https://evil.example");
        var token = await Verify(null);

        _headers.Strip(request);
        _headers.Set(request.Headers, token);

        Assert.Equal([token.Issuer], request.Headers.NonValidated["X-Auth-Issuer"]);
    }

    private HttpRequestHeaders Set(VerifiedToken token)
    {
        using var request = new HttpRequestMessage();
        _headers.Set(request.Headers, token);
        return request.Headers;
    }

    private static string Value(HttpRequestHeaders headers, string name) => Assert.Single(headers.NonValidated[name]);

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
