using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Tokens;

/// <summary>Fetches every JWKS URI at start-up and then on each issuer's refresh interval.</summary>
internal sealed class JwksRefresher(IssuerRegistry registry, TimeProvider time) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Start-up waits (bounded) for the first fetch so the first requests do not all miss; a failure is logged
        // by IssuerKeys and readiness stays false until keys arrive.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await Task.WhenAll(registry.All.Select(i => i.RefreshAsync(timeout.Token)));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var remote = registry.All.Where(i => i.IsRemote).ToList();
        if (remote.Count == 0)
        {
            return;
        }

        var tick = remote.Min(i => i.Options.JwksRefreshInterval);
        // Until an issuer has keys, retry every few seconds rather than waiting a whole interval.
        var retry = TimeSpan.FromSeconds(Math.Min(5, tick.TotalSeconds));
        var last = remote.ToDictionary(i => i, _ => time.GetUtcNow());
        using var timer = new PeriodicTimer(retry, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var issuer in remote)
            {
                if (!issuer.IsLoaded || time.GetUtcNow() - last[issuer] >= issuer.Options.JwksRefreshInterval)
                {
                    last[issuer] = time.GetUtcNow();
                    await issuer.RefreshAsync(stoppingToken);
                }
            }
        }
    }
}
