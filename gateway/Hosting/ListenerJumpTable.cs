using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Matching;

namespace Gateway.Hosting;

/// <summary>The routing branch for a request's listener (<see cref="ListenerMatcherPolicy"/>): one lookup, no allocation.</summary>
internal sealed class ListenerJumpTable(int onPublic, int onAdmin) : PolicyJumpTable
{
    public override int GetDestination(HttpContext httpContext) => Listeners.IsAdmin(httpContext) ? onAdmin : onPublic;
}
