using System.Globalization;
using System.Text;
using LoadTests.Engine;

namespace LoadTests.Reports;

/// <summary>Aligned plain-text tables for the terminal.</summary>
internal static class ConsoleReport
{
    public static string Scenario(ScenarioResult result)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"── {result.Key} ── {string.Join(" → ", result.Simulations)} ── measured {result.Duration.TotalSeconds:0.0} s (latency ms)");
        text.Append(Table(ReportTables.StatsHeader, ReportTables.StatsRows(result)));
        text.AppendLine(CultureInfo.InvariantCulture, $"  status codes: {ReportTables.StatusLine(result.Global)}");
        if (result.Metrics.Count > 0)
        {
            text.AppendLine("  " + string.Join("; ", result.Metrics.Select(m => $"{m.Key}: {ReportTables.MetricValue(m.Value)}")));
        }

        foreach (var note in result.Notes)
        {
            text.AppendLine("  note: " + note);
        }

        return text.ToString();
    }

    public static string Summary(RunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"== {report.Title} ==");
        text.AppendLine("machine: " + string.Join("; ", report.Machine.Rows().Select(r => $"{r.Name} {r.Value}")));
        if (report.Comparison.Count > 0)
        {
            text.Append(Table(["check", "baseline", "gateway", "ratio", "target", "verdict"],
                report.Comparison.Select(c => new[] { c.Check, c.Baseline, c.Gateway, c.Ratio, c.Target, c.Verdict }).ToList()));
        }

        foreach (var section in report.Sections)
        {
            text.AppendLine();
            text.AppendLine(section.Title);
            text.Append(Table(section.Header, section.Rows));
            foreach (var note in section.Notes)
            {
                text.AppendLine("  note: " + note);
            }
        }

        foreach (var outcome in report.Thresholds)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"threshold {outcome.Threshold.Text} on {outcome.Scenario}: {(outcome.Actual is { } a ? ReportTables.MetricValue(a) : "n/a")} → {(outcome.Passed ? "ok" : "BROKEN")}");
        }

        foreach (var note in report.Notes)
        {
            text.AppendLine("note: " + note);
        }

        return text.ToString();
    }

    public static string Table(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            text.Append("  ");
            for (var i = 0; i < widths.Length; i++)
            {
                var cell = i < cells.Count ? cells[i] : "";
                text.Append(i < 2 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i])).Append(i == widths.Length - 1 ? "" : " │ ");
            }

            text.AppendLine();
        }

        Line(header);
        text.Append("  ").AppendLine(string.Join("─┼─", widths.Select(w => new string('─', w))));
        foreach (var row in rows)
        {
            Line(row);
        }

        return text.ToString();
    }
}
