using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Gateway.Hosting;

/// <summary>
/// Endpoint selection by listener: on the public listener admin-only endpoints are no candidates, and on the admin
/// listener only admin (or any-listener) endpoints are. So a backend's own <c>/metrics</c> or <c>/admin/...</c>
/// stays reachable through a proxy route on the public listener, and nothing is proxied from the admin listener.
/// A request whose every candidate is refused finds no endpoint and gets routing's 404.
/// </summary>
internal sealed class ListenerMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the built-in policies (HTTP method, host), before the final selection.
    public override int Order => 1000;

    // Every endpoint: a proxy route alone in its routing node must also be refused on the admin listener.
    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onAdmin = Listeners.IsAdmin(httpContext);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            var metadata = candidates[i].Endpoint.Metadata;
            if (metadata.GetMetadata<AnyListenerEndpointMetadata>() is not null)
            {
                continue;
            }

            if ((metadata.GetMetadata<AdminEndpointMetadata>() is not null) != onAdmin)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
