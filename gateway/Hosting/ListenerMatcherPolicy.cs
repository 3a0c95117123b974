using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Gateway.Hosting;

/// <summary>
/// Endpoint selection by listener: on the public listener admin-only endpoints are no candidates, and on the admin
/// listener only admin (or any-listener) endpoints are. So a backend's own <c>/metrics</c> or <c>/admin/...</c>
/// stays reachable through a proxy route on the public listener, and nothing is proxied from the admin listener.
/// A request whose every candidate is refused finds no endpoint and gets routing's 404.
/// A node-builder policy (like HTTP method matching), not an endpoint-selector one: routing splits its tree by
/// listener once, when it is built, and a request takes one branch. A selector policy would make routing build a
/// candidate set and call the policy on every proxied request (measured: README "Performance").
/// </summary>
internal sealed class ListenerMatcherPolicy : MatcherPolicy, INodeBuilderPolicy
{
    private static readonly object Public = false;
    private static readonly object Admin = true;

    // After the built-in policies (HTTP method, host), so their endpoints (a 405, say) are split by listener too.
    public override int Order => 1000;

    // Every endpoint: a proxy route alone in its routing node must also be refused on the admin listener.
    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Count > 0;

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        var onPublic = new List<Endpoint>();
        var onAdmin = new List<Endpoint>();
        foreach (var endpoint in endpoints)
        {
            var metadata = endpoint.Metadata;
            var any = metadata.GetMetadata<AnyListenerEndpointMetadata>() is not null;
            var admin = metadata.GetMetadata<AdminEndpointMetadata>() is not null;
            if (any || !admin)
            {
                onPublic.Add(endpoint);
            }

            if (any || admin)
            {
                onAdmin.Add(endpoint);
            }
        }

        // A listener with no endpoint here gets no edge: its requests take the exit, routing's 404.
        var edges = new List<PolicyNodeEdge>(2);
        if (onPublic.Count > 0)
        {
            edges.Add(new PolicyNodeEdge(Public, onPublic));
        }

        if (onAdmin.Count > 0)
        {
            edges.Add(new PolicyNodeEdge(Admin, onAdmin));
        }

        return edges;
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        var onPublic = exitDestination;
        var onAdmin = exitDestination;
        foreach (var edge in edges)
        {
            if (edge.State is true)
            {
                onAdmin = edge.Destination;
            }
            else
            {
                onPublic = edge.Destination;
            }
        }

        return new ListenerJumpTable(onPublic, onAdmin);
    }
}
