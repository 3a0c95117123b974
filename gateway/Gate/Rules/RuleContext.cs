using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;

namespace Gateway.Gate.Rules;

/// <summary>What a route check may look at. <see cref="State"/> is default at <see cref="RuleStage.Token"/>.</summary>
internal readonly record struct RuleContext(
    HttpContext Http,
    string RouteId,
    VerifiedToken Token,
    SessionState State,
    ISessionStore Store,
    long Now)
{
    public CancellationToken Cancel => Http.RequestAborted;
}
