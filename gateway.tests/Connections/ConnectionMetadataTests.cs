using Gateway.Gate;
using Gateway.Gate.Connections;
using Gateway.Gate.Rules;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Connections;

/// <summary>Route metadata <c>CloseOnRevocation</c>, <c>CloseOnExpiry</c>, <c>ExpiryGrace</c> (start-up refusal: Hosting/StartupValidationTests).</summary>
public sealed class ConnectionMetadataTests
{
    private static readonly RoutePolicyParser Parser = NewParser();

    private static RoutePolicyParser NewParser()
    {
        var services = new ServiceCollection().AddMetrics().AddBuiltInRouteRules().AddSingleton<Gateway.Telemetry.GatewayMetrics>().BuildServiceProvider();
        return new RoutePolicyParser(services.GetServices<IRouteRule>(), services.GetRequiredService<Gateway.Telemetry.GatewayMetrics>());
    }

    [Fact]
    public void NoMetadata_WebSocketsAndStreamsCloseOnRevocation_NotOnExpiry()
    {
        var policy = Parse(new Dictionary<string, string>(), out var errors);

        Assert.Empty(errors);
        Assert.Equal(ConnectionPolicy.Default, policy.Connections);
        Assert.Null(policy.Connections.CloseOnRevocation);
        Assert.False(policy.Connections.CloseOnExpiry);
        Assert.Equal(TimeSpan.FromSeconds(30), policy.Connections.ExpiryGrace);
        Assert.Empty(policy.TokenChecks);
        Assert.Empty(policy.SessionChecks);
    }

    [Fact]
    public void ValidMetadata_IsCompiledIntoTheConnectionPolicy_NotIntoRequestChecks()
    {
        var policy = Parse(new Dictionary<string, string> { ["CloseOnRevocation"] = "false", ["CloseOnExpiry"] = "True", ["ExpiryGrace"] = "00:01:00" }, out var errors);

        Assert.Empty(errors);
        Assert.Equal(new ConnectionPolicy(false, true, TimeSpan.FromMinutes(1)), policy.Connections);
        Assert.False(policy.Connections.GuardsNothing);
        Assert.Empty(policy.TokenChecks);
        Assert.Empty(policy.SessionChecks);
        Assert.True(Parse(new Dictionary<string, string> { ["CloseOnRevocation"] = "false" }, out _).Connections.GuardsNothing);
    }

    [Theory]
    [InlineData("CloseOnRevocation", "yes", "'yes' is not true or false")]
    [InlineData("CloseOnExpiry", "1", "'1' is not true or false")]
    [InlineData("ExpiryGrace", "-00:00:01", "is not a time span")]
    [InlineData("ExpiryGrace", "2.00:00:00", "is not a time span")]
    [InlineData("ExpiryGrace", "soon", "is not a time span")]
    public void InvalidMetadata_NamesRouteAndKey(string key, string value, string message)
    {
        Parse(new Dictionary<string, string> { [key] = value }, out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith($"ReverseProxy:Routes:chat:Metadata:{key}: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void OnAnAnonymousRoute_IsRefused()
    {
        Parse(new Dictionary<string, string> { ["CloseOnExpiry"] = "true" }, out var errors, policy: "anonymous");

        Assert.Contains(errors, e => e.Contains("CloseOnExpiry", StringComparison.Ordinal) && e.Contains("anonymous", StringComparison.Ordinal));
    }

    private static RoutePolicy Parse(Dictionary<string, string> metadata, out List<string> errors, string? policy = null)
    {
        errors = [];
        return Parser.Parse(new RouteConfig { RouteId = "chat", ClusterId = "backend", AuthorizationPolicy = policy, Metadata = metadata }, errors);
    }
}
