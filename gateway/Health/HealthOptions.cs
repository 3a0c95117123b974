namespace Gateway.Health;

/// <summary>Health endpoints and probes, section <c>Gateway:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Gateway:Health";

    /// <summary>
    /// Also serve <c>/healthz</c> and <c>/readyz</c> on the public listener (for load balancers that can only reach
    /// it). They are always served on the admin listener. Default false.
    /// </summary>
    public bool PublicEndpoints { get; set; }

    /// <summary>Longest a readiness check may take before it counts as failed. Default 2 seconds.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the checks run in the background for the <c>gateway.health.check.status</c> gauge. Default 10 seconds; at least 1 second.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Graceful shutdown, section <c>Gateway:Shutdown</c>.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Gateway:Shutdown";

    /// <summary>
    /// How long the gateway keeps serving after a stop signal while <c>/readyz</c> already answers 503, so load
    /// balancers stop sending new requests before the listeners close. Default 0 (no delay).
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long in-flight requests may take to finish once the listeners stop accepting; what is still running after it
    /// is aborted. Default 30 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
