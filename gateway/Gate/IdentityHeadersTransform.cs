using Gateway.Tokens;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Gate;

/// <summary>
/// First of every route's request transforms: strips client-sent identity headers from the outgoing request and sets
/// the verified token's (handed over by <see cref="TokenGateMiddleware"/> as a request feature; none on an anonymous
/// route). Working on the outgoing request walks HttpClient's header store with a struct enumerator; the incoming
/// headers' enumerator is boxed. A route's own transforms run after it, so they keep the last word.
/// </summary>
internal sealed class IdentityHeadersTransform : RequestTransform
{
    private readonly IdentityHeaders _identity;
    private readonly bool _stripIncoming;

    /// <param name="identity">The configured identity headers.</param>
    /// <param name="stripIncoming">
    /// The route turns YARP's header copy off and copies what it wants from the incoming request itself
    /// (<c>RequestHeadersCopy: false</c>, <c>RequestHeadersAllowed</c>): strip there, before its transforms run.
    /// </param>
    public IdentityHeadersTransform(IdentityHeaders identity, bool stripIncoming)
    {
        _identity = identity;
        _stripIncoming = stripIncoming;
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (_stripIncoming)
        {
            _identity.Strip(context.HttpContext.Request.Headers);
        }
        else
        {
            _identity.Strip(context.ProxyRequest);
        }

        if (context.HttpContext.Features.Get<VerifiedToken>() is { } token)
        {
            _identity.Set(context.ProxyRequest.Headers, token);
        }

        return default;
    }
}
