using Gateway.Sessions;
using Gateway.Tokens;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Health;

/// <summary>Ready when every configured issuer has a key set in hand (inline, or fetched at least once).</summary>
internal sealed class IssuersHealthCheck(IssuerRegistry issuers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var missing = issuers.All.Where(i => !i.IsLoaded).ToList();
        var total = issuers.All.Count;
        var detail = $"{total - missing.Count} of {total} issuers have keys";

        // Say what is really wrong: a provider that cannot be reached, or one whose keys cannot be used.
        var problems = issuers.All.Where(i => i.Problem is not null).Select(i => $"{i.Issuer}: {i.Problem}").ToList();
        if (problems.Count > 0)
        {
            detail += "; " + string.Join("; ", problems);
        }

        return Task.FromResult(missing.Count == 0
            ? HealthCheckResult.Healthy(detail)
            : HealthCheckResult.Unhealthy($"{detail}; no usable keys yet for {string.Join(", ", missing.Select(i => i.Issuer))}"));
    }
}

/// <summary>Ready when the session store says so (Redis reachable, or the in-process store).</summary>
internal sealed class SessionStoreHealthCheck(ISessionStoreHealth store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await store.CheckAsync(cancellationToken);
        var data = new Dictionary<string, object> { ["kind"] = report.Kind };
        return report.Ready
            ? HealthCheckResult.Healthy(report.Detail, data)
            : HealthCheckResult.Unhealthy(report.Detail, data: data);
    }
}

/// <summary>Unready from the stop signal on, so load balancers drain the instance before its listeners close.</summary>
internal sealed class ShutdownHealthCheck(ShutdownState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Stopping ? HealthCheckResult.Unhealthy("stopping") : HealthCheckResult.Healthy("running"));
}

/// <summary>Always healthy while the process answers: the liveness check.</summary>
internal sealed class ProcessHealthCheck(TimeProvider time) : IHealthCheck
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var uptime = time.GetUtcNow() - _started;
        return Task.FromResult(HealthCheckResult.Healthy($"up {uptime:d\\.hh\\:mm\\:ss}"));
    }
}
