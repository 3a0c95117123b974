using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

/// <summary>Configured header names are HTTP tokens.</summary>
public sealed class HeaderNameRuleTests
{
    [Theory]
    [InlineData("X-Auth-Subject")]
    [InlineData("x_client_cert")]
    [InlineData("X-A!#$%&'*+.^`|~9")]
    public void IsHeaderName_Token_IsTrue(string name) => Assert.True(HeaderNameRule.IsHeaderName(name));

    [Theory]
    [InlineData("")]
    [InlineData("X User")]
    [InlineData("X-User:")]
    [InlineData("X-(User)")]
    [InlineData("X-Üser")]
    [InlineData("X-User\r\n")]
    public void IsHeaderName_NotAToken_IsFalse(string name) => Assert.False(HeaderNameRule.IsHeaderName(name));
}
