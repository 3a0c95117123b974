using Microsoft.Extensions.Hosting;

namespace Gateway.Signals;

/// <summary>
/// Fetches the JWKS of every transmitter with its own <c>JwksUri</c> at start-up and then every 10 minutes (every 5 s
/// until keys are in hand), as <c>JwksRefresher</c> does for token issuers: a key the transmitter withdraws stops
/// verifying its SETs. An unknown <c>kid</c> still triggers a rate-limited refetch. Transmitters that use their token
/// issuer's keys are refreshed with that issuer.
/// </summary>
internal sealed class TransmitterKeyRefresher(SetVerifier verifier, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var own = verifier.Transmitters.Where(t => t.Options.JwksUri is not null).Select(t => t.Keys).ToList();
        if (own.Count == 0)
        {
            return;
        }

        var last = own.ToDictionary(k => k, _ => DateTimeOffset.MinValue);
        using var timer = new PeriodicTimer(Retry, time);
        do
        {
            foreach (var keys in own)
            {
                if (!keys.IsLoaded || time.GetUtcNow() - last[keys] >= Interval)
                {
                    last[keys] = time.GetUtcNow();
                    await keys.RefreshAsync(stoppingToken);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
