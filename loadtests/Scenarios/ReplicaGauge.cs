using System.Globalization;

namespace LoadTests.Scenarios;

/// <summary>
/// Reads the gateway's <c>gateway_denylist_replica_entries</c> gauge from its Prometheus endpoint (<c>/metrics</c> on the
/// admin listener): how many denylist hashes its replica holds, and whether it is complete.
/// </summary>
internal sealed class ReplicaGauge
{
    private const string Name = "gateway_denylist_replica_entries";

    private readonly HttpClient _client;
    private readonly Uri _metrics;

    public ReplicaGauge(HttpClient client, Uri adminUrl)
    {
        _client = client;
        _metrics = new Uri(adminUrl, "/metrics");
    }

    public async Task<(long Entries, bool Complete)> ReadAsync(CancellationToken cancellationToken)
    {
        var text = await _client.GetStringAsync(_metrics, cancellationToken);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(Name, StringComparison.Ordinal) || line.StartsWith(Name + "_", StringComparison.Ordinal))
            {
                continue;
            }

            // e.g. gateway_denylist_replica_entries{otel_scope_name="Gateway",complete="true"} 1000000 1733070000000
            var parts = line[(line.LastIndexOf('}') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return ((long)value, line.Contains("complete=\"true\"", StringComparison.Ordinal));
            }
        }

        return (0, false);
    }

    /// <summary>Polls until the replica holds at least <paramref name="entries"/>; throws after <paramref name="timeout"/>.</summary>
    public async Task<(long Entries, bool Complete)> WaitForAsync(long entries, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var read = await ReadAsync(cancellationToken);
            if (read.Entries >= entries)
            {
                return read;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the gateway's denylist replica holds {read.Entries:N0} entries, expected at least {entries:N0}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
