using System.Diagnostics;

namespace Gateway.Telemetry;

/// <summary>The gateway's own spans: token verification and the session check.</summary>
public static class GatewayActivitySource
{
    public const string Name = "Gateway";

    public static readonly ActivitySource Instance = new(Name);
}
