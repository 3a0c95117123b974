using Gateway.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Matching;

namespace Gateway.Tests.Hosting;

public sealed class ListenerMatcherPolicyTests
{
    private static readonly Endpoint Proxied = new(_ => Task.CompletedTask, new EndpointMetadataCollection(), "proxy route");
    private static readonly Endpoint AdminOnly = new(_ => Task.CompletedTask, new EndpointMetadataCollection(AdminEndpointMetadata.Instance), "admin call");
    private static readonly Endpoint Health = new(_ => Task.CompletedTask, new EndpointMetadataCollection(AnyListenerEndpointMetadata.Instance), "health");

    private readonly ListenerMatcherPolicy _policy = new();

    [Fact]
    public void Policy_SplitsTheRoutingTree_InsteadOfJudgingEveryRequest()
    {
        // A selector policy makes routing build a candidate set and call it for every proxied request.
        Assert.IsAssignableFrom<INodeBuilderPolicy>(_policy);
        Assert.False(typeof(IEndpointSelectorPolicy).IsAssignableFrom(_policy.GetType()));
    }

    [Fact]
    public void GetEdges_PublicListenerGetsProxyAndHealth_AdminListenerGetsAdminAndHealth()
    {
        var edges = _policy.GetEdges([Proxied, AdminOnly, Health]);

        Assert.Equal(2, edges.Count);
        Assert.Equal([Proxied, Health], Single(edges, admin: false).Endpoints);
        Assert.Equal([AdminOnly, Health], Single(edges, admin: true).Endpoints);
    }

    [Fact]
    public void GetEdges_ProxyRouteAlone_HasNoAdminEdge()
    {
        var edges = _policy.GetEdges([Proxied]);

        Assert.Equal(Proxied, Assert.Single(Single(edges, admin: false).Endpoints));
        Assert.DoesNotContain(edges, e => e.State is true);
    }

    [Fact]
    public void GetEdges_AdminCallAlone_HasNoPublicEdge()
    {
        var edges = _policy.GetEdges([AdminOnly]);

        Assert.Equal(AdminOnly, Assert.Single(Single(edges, admin: true).Endpoints));
        Assert.DoesNotContain(edges, e => e.State is false);
    }

    [Fact]
    public void JumpTable_SendsEachListenerToItsBranch()
    {
        var table = _policy.BuildJumpTable(exitDestination: -1, [new PolicyJumpTableEdge(false, 3), new PolicyJumpTableEdge(true, 7)]);

        Assert.Equal(3, table.GetDestination(Request(admin: false)));
        Assert.Equal(7, table.GetDestination(Request(admin: true)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void JumpTable_ListenerWithoutABranch_TakesTheExit(bool admin)
    {
        var table = _policy.BuildJumpTable(exitDestination: -1, [new PolicyJumpTableEdge(!admin, 5)]);

        Assert.Equal(-1, table.GetDestination(Request(admin)));
    }

    [Fact]
    public void JumpTable_RequestWithoutConnectionItems_IsOnThePublicListener()
    {
        var table = _policy.BuildJumpTable(exitDestination: -1, [new PolicyJumpTableEdge(false, 3), new PolicyJumpTableEdge(true, 7)]);

        Assert.Equal(3, table.GetDestination(new DefaultHttpContext()));
    }

    private static PolicyNodeEdge Single(IReadOnlyList<PolicyNodeEdge> edges, bool admin) => Assert.Single(edges, e => Equals(e.State, admin));

    private static DefaultHttpContext Request(bool admin)
    {
        var context = new DefaultHttpContext();
        var items = new ConnectionItems();
        if (admin)
        {
            Listeners.MarkAdmin(items);
        }

        context.Features.Set<IConnectionItemsFeature>(new ItemsFeature(items));
        return context;
    }

    private sealed class ItemsFeature(IDictionary<object, object?> items) : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = items;
    }
}
