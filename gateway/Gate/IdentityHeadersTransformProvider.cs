using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Gate;

/// <summary>Puts <see cref="IdentityHeadersTransform"/> first on every route, after the route's own transforms were read.</summary>
internal sealed class IdentityHeadersTransformProvider : ITransformProvider
{
    private readonly IdentityHeaders _identity;

    public IdentityHeadersTransformProvider(IdentityHeaders identity) => _identity = identity;

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) =>
        context.RequestTransforms.Insert(0, new IdentityHeadersTransform(_identity, stripIncoming: context.CopyRequestHeaders == false));
}
