using Gateway.Proxy;

namespace Gateway.Tests.Proxy;

/// <summary>Identity header names a backend can receive, once each; anything else fails start-up naming its key.</summary>
public sealed class ProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() => Assert.True(Validate(new IdentityHeaderOptions()).Succeeded);

    [Fact]
    public void Validate_EveryHeaderNamedAndEmptyOnesLeftOut_Succeeds()
    {
        var options = new IdentityHeaderOptions
        {
            Subject = "X-User", Session = "", TokenId = "X-Token-Id", Issuer = "X-Issuer", Client = "X-Client", Scopes = "X-Scopes",
        };

        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("X User")]
    [InlineData("X-User:")]
    [InlineData("X-Üser")]
    [InlineData("X-(User)")]
    [InlineData("authorization")]
    [InlineData("Host")]
    [InlineData("Connection")]
    [InlineData("Transfer-Encoding")]
    [InlineData("upgrade")]
    [InlineData("TE")]
    [InlineData("Content-Type")]
    [InlineData("Content-Length")]
    public void Validate_UnusableName_FailsNamingTheKey(string name)
    {
        var result = Validate(new IdentityHeaderOptions { Session = name });

        Assert.False(result.Succeeded);
        Assert.Contains($"Gateway:Proxy:IdentityHeaders:Session: '{name}' is not a usable header name", result.FailureMessage);
    }

    [Theory]
    [InlineData("X-Auth-Subject")]
    [InlineData("x_auth_subject")]
    public void Validate_TwoKeysOnOneHeader_FailsNamingBoth(string scopes)
    {
        var result = Validate(new IdentityHeaderOptions { Scopes = scopes });

        Assert.False(result.Succeeded);
        Assert.Contains($"Gateway:Proxy:IdentityHeaders:Scopes: '{scopes}' is the same header as Gateway:Proxy:IdentityHeaders:Subject", result.FailureMessage);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(IdentityHeaderOptions headers) =>
        new ProxyOptionsValidator().Validate(null, new ProxyOptions { IdentityHeaders = headers });
}
