namespace Gateway.Hosting;

/// <summary>Marks endpoints that belong to the admin listener.</summary>
public sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();
}

/// <summary>Marks endpoints served on both listeners (health).</summary>
public sealed class AnyListenerEndpointMetadata
{
    public static readonly AnyListenerEndpointMetadata Instance = new();
}
