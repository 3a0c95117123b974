using Gateway.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Health;

/// <summary>Feeds the background health probe's results to the <c>gateway.health.check.status</c> gauge (alerting).</summary>
internal sealed class HealthMetricsPublisher(GatewayMetrics metrics) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            metrics.HealthChecked(name, entry.Status == HealthStatus.Healthy);
        }

        return Task.CompletedTask;
    }
}
