using Gateway.Gate;
using Gateway.Gate.Refusals;
using Gateway.Gate.Rules;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Gate;

/// <summary>Rules with a default check (proof of possession) apply to every protected route, first.</summary>
public sealed class RoutePolicyParserTests
{
    [Fact]
    public void RuleWithADefault_AppliesToAProtectedRouteWithoutItsKey_BeforeTheRouteOwnRules()
    {
        var always = new AlwaysRule();
        var parser = new RoutePolicyParser([new RequiredScopesRule(), always]);
        var errors = new List<string>();

        var policy = parser.Parse(Route(new Dictionary<string, string> { ["RequiredScopes"] = "read" }), errors);

        Assert.Empty(errors);
        Assert.Equal(2, policy.TokenChecks.Length);
        Assert.Same(always.Default, policy.TokenChecks[0]);
    }

    [Fact]
    public void RuleWithADefault_UsesTheRouteValueWhenSet()
    {
        var always = new AlwaysRule();
        var parser = new RoutePolicyParser([always]);

        var policy = parser.Parse(Route(new Dictionary<string, string> { [AlwaysRule.Key] = "strict" }), []);

        Assert.Same(always.Strict, Assert.Single(policy.TokenChecks));
    }

    [Fact]
    public void RuleWithADefault_DoesNotApplyToAnAnonymousRoute()
    {
        var parser = new RoutePolicyParser([new AlwaysRule()]);

        var policy = parser.Parse(Route(null) with { AuthorizationPolicy = "anonymous" }, []);

        Assert.Empty(policy.TokenChecks);
    }

    private static RouteConfig Route(IReadOnlyDictionary<string, string>? metadata) => new()
    {
        RouteId = "r",
        ClusterId = "c",
        Match = new RouteMatch { Path = "/{**rest}" },
        Metadata = metadata,
    };

    private sealed class AlwaysRule : IRouteRule
    {
        public const string Key = "Always";

        public IRouteCheck Strict { get; } = new Check();

        public string MetadataKey => Key;

        public IRouteCheck? Default { get; } = new Check();

        public IRouteCheck? Compile(string value, out string? error)
        {
            error = null;
            return Strict;
        }
    }

    private sealed class Check : IRouteCheck
    {
        public RuleStage Stage => RuleStage.Token;

        public bool NeedsLiveStore => false;

        public ValueTask<Refusal?> JudgeAsync(RuleContext context) => new((Refusal?)null);
    }
}
