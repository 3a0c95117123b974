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

    public IdentityHeadersTransform(IdentityHeaders identity) => _identity = identity;

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        // A route that turned YARP's header copy off (RequestHeadersCopy: false, RequestHeadersAllowed) copies what it
        // wants from the incoming request in a later transform: strip there, before that copy runs.
        if (context.HeadersCopied)
        {
            _identity.Strip(context.ProxyRequest);
        }
        else
        {
            _identity.Strip(context.HttpContext.Request.Headers);
        }

        if (context.HttpContext.Features.Get<VerifiedToken>() is { } token)
        {
            _identity.Set(context.ProxyRequest.Headers, token);
        }

        return default;
    }
}
