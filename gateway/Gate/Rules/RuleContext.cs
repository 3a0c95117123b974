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
    /// <summary>The Authorization scheme the token came with.</summary>
    public AuthorizationScheme Scheme { get; init; }

    /// <summary>The access token as presented (a slice of the Authorization header), for a DPoP proof's <c>ath</c>.</summary>
    public ReadOnlyMemory<char> Credential { get; init; }

    public CancellationToken Cancel => Http.RequestAborted;
}
