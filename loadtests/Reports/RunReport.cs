using System.Globalization;
using LoadTests.Engine;

namespace LoadTests.Reports;

/// <summary>A line of the comparison table: baseline and gateway side by side, their ratio and the target.</summary>
internal sealed record ComparisonRow(string Check, string Baseline, string Gateway, string Ratio, string Target, string Verdict);

/// <summary>Everything a command reports: machine, scenario results, comparison, thresholds, notes.</summary>
internal sealed class RunReport
{
    public required string Title { get; init; }

    public required string Command { get; init; }

    public required MachineInfo Machine { get; init; }

    public DateTime Started { get; } = DateTime.Now;

    public TimeSpan Elapsed { get; set; }

    public List<ScenarioResult> Results { get; } = [];

    public List<ComparisonRow> Comparison { get; } = [];

    /// <summary>Further tables after the comparison (e.g. the gateway beside other proxies).</summary>
    public List<ReportSection> Sections { get; } = [];

    public List<ThresholdOutcome> Thresholds { get; } = [];

    public List<string> Notes { get; } = [];

    public bool ThresholdsPassed => Thresholds.TrueForAll(t => t.Passed);
}

/// <summary>The per-scenario tables, shared by the console, Markdown and HTML reports.</summary>
internal static class ReportTables
{
    public static readonly string[] StatsHeader =
    [
        "step", "", "requests", "RPS", "min", "mean", "max", "stddev", "p50", "p75", "p95", "p99", "p99.9", "bytes min", "bytes mean", "bytes max", "bytes all",
    ];

    public static List<string[]> StatsRows(ScenarioResult result)
    {
        var rows = new List<string[]>();
        foreach (var stats in result.Steps.Prepend(result.Global))
        {
            rows.Add(Side(stats.Name, "ok", stats.Ok));
            if (stats.Fail.Count > 0 || ReferenceEquals(stats, result.Global))
            {
                rows.Add(Side(stats.Name, "fail", stats.Fail));
            }
        }

        return rows;
    }

    public static string StatusLine(StatsSnapshot stats) => stats.StatusCodes.Count == 0
        ? "none"
        : string.Join(", ", stats.StatusCodes.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"{(c.Code == 0 ? "no response" : c.Code.ToString(CultureInfo.InvariantCulture))} {(c.IsOk ? "ok" : "fail")}: {c.Count:N0} ({c.Percent:0.##}%)")));

    public static string MetricValue(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e12 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Ms(double value) => value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string[] Side(string step, string kind, SideSnapshot s) =>
    [
        step, kind, s.Count.ToString("N0", CultureInfo.InvariantCulture), s.Rps.ToString("N0", CultureInfo.InvariantCulture),
        Ms(s.MinMs), Ms(s.MeanMs), Ms(s.MaxMs), Ms(s.StdDevMs), Ms(s.P50), Ms(s.P75), Ms(s.P95), Ms(s.P99), Ms(s.P999),
        Bytes(s.MinBytes), Bytes((long)s.MeanBytes), Bytes(s.MaxBytes), Bytes(s.AllBytes),
    ];

    public static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => $"{bytes} B",
        < 10L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
