using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Gate;

/// <summary>Puts <see cref="IdentityHeadersTransform"/> first on every route, after the route's own transforms were read.</summary>
internal sealed class IdentityHeadersTransformProvider : ITransformProvider
{
    // Stateless: one instance serves every route.
    private readonly IdentityHeadersTransform _transform;

    public IdentityHeadersTransformProvider(IdentityHeaders identity) => _transform = new IdentityHeadersTransform(identity);

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) =>
        context.RequestTransforms.Insert(0, _transform);
}
