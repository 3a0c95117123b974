using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>
/// Writes at most one Warning per <see cref="LoggingOptions.RefusalSummaryInterval"/> with the refusals counted by
/// <see cref="GatewayMetrics"/> since the previous line, so an attack or a broken client shows at the default log
/// level without one line per request. A last summary is written on shutdown.
/// </summary>
internal sealed partial class RefusalSummaryService(GatewayMetrics metrics, IOptions<LoggingOptions> options, TimeProvider time, ILogger<RefusalSummaryService> logger)
    : BackgroundService
{
    private readonly TimeSpan _interval = options.Value.RefusalSummaryInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                WriteSummary();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        WriteSummary();
    }

    internal void WriteSummary()
    {
        var counts = metrics.Refusals.Drain();
        if (counts.Count == 0)
        {
            return;
        }

        var total = counts.Sum(c => c.Value);
        var reasons = string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));
        Log.Summary(logger, total, _interval, reasons);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RefusalSummary, Level = LogLevel.Warning, Message = "Refused {Count} requests in the last {Interval}: {Reasons}")]
        public static partial void Summary(ILogger logger, long count, TimeSpan interval, string reasons);
    }
}
