using System.Globalization;
using System.Net;
using System.Text;
using LoadTests.Engine;

namespace LoadTests.Reports;

/// <summary>Writes report.md, report.csv (+ comparison.csv) and report.html (standalone, inline SVG, no scripts) to a folder.</summary>
internal static class ReportFiles
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static async Task WriteAsync(RunReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), Markdown(report));
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), Csv(report));
        if (report.Comparison.Count > 0)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "comparison.csv"), ComparisonCsv(report));
        }

        foreach (var section in report.Sections)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, section.CsvFileName), SectionCsv(section));
        }

        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), Html(report));
    }

    public static string Markdown(RunReport report)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {report.Title}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{report.Command}` — started {report.Started:yyyy-MM-dd HH:mm:ss}, took {report.Elapsed:hh\\:mm\\:ss}");
        md.AppendLine();
        md.AppendLine("| machine | |");
        md.AppendLine("|---|---|");
        foreach (var (name, value) in report.Machine.Rows())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value} |");
        }

        if (report.Comparison.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Comparison (gateway / bare YARP, same run)");
            md.AppendLine();
            md.Append(MarkdownTable(["check", "baseline", "gateway", "ratio", "target", "verdict"],
                report.Comparison.Select(c => new[] { c.Check, c.Baseline, c.Gateway, c.Ratio, c.Target, c.Verdict })));
        }

        foreach (var section in report.Sections)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {section.Title}");
            md.AppendLine();
            md.Append(MarkdownTable(section.Header, section.Rows));
            if (section.Notes.Count > 0)
            {
                md.AppendLine();
                foreach (var note in section.Notes)
                {
                    md.AppendLine("- " + note);
                }
            }
        }

        if (report.Thresholds.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Thresholds");
            md.AppendLine();
            md.Append(MarkdownTable(["threshold", "scenario", "actual", "result"], report.Thresholds.Select(t => new[]
            {
                t.Threshold.Text, t.Scenario, t.Actual is { } a ? ReportTables.MetricValue(a) : "n/a", t.Passed ? "ok" : "BROKEN",
            })));
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in report.Notes)
            {
                md.AppendLine("- " + note);
            }
        }

        md.AppendLine();
        md.AppendLine("## Scenarios (latency in ms)");
        foreach (var result in report.Results)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {result.Key}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{string.Join(" → ", result.Simulations)}; measured {result.Duration.TotalSeconds:0.0} s");
            md.AppendLine();
            md.Append(MarkdownTable(ReportTables.StatsHeader, ReportTables.StatsRows(result)));
            md.AppendLine();
            md.AppendLine("Status codes: " + ReportTables.StatusLine(result.Global));
            if (result.Metrics.Count > 0)
            {
                md.AppendLine();
                md.AppendLine(string.Join("; ", result.Metrics.Select(m => $"{m.Key}: {ReportTables.MetricValue(m.Value)}")));
            }

            foreach (var note in result.Notes)
            {
                md.AppendLine();
                md.AppendLine("Note: " + note);
            }
        }

        return md.ToString();
    }

    public static string MarkdownTable(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", header.Select(h => h.Length == 0 ? " " : h)) + " |");
        md.AppendLine("|" + string.Join("|", header.Select((_, i) => i < 2 ? "---" : "---:")) + "|");
        foreach (var row in rows)
        {
            md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        return md.ToString();
    }

    public static string Csv(RunReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("scenario,target,step,kind,requests,rps,min_ms,mean_ms,max_ms,stddev_ms,p50_ms,p75_ms,p95_ms,p99_ms,p999_ms,bytes_min,bytes_mean,bytes_max,bytes_all,duration_s,late_starts,simulations");
        foreach (var result in report.Results)
        {
            foreach (var stats in result.Steps.Prepend(result.Global))
            {
                foreach (var (kind, s) in new[] { ("ok", stats.Ok), ("fail", stats.Fail) })
                {
                    csv.AppendLine(string.Join(",",
                        Quote(result.Scenario), Quote(result.Target), Quote(stats.Name), kind,
                        Num(s.Count), Num(s.Rps), Num(s.MinMs), Num(s.MeanMs), Num(s.MaxMs), Num(s.StdDevMs),
                        Num(s.P50), Num(s.P75), Num(s.P95), Num(s.P99), Num(s.P999),
                        Num(s.MinBytes), Num(s.MeanBytes), Num(s.MaxBytes), Num(s.AllBytes),
                        Num(result.Duration.TotalSeconds), Num(result.LateStarts), Quote(string.Join(" -> ", result.Simulations))));
                }
            }
        }

        return csv.ToString();
    }

    public static string ComparisonCsv(RunReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("check,baseline,gateway,ratio,target,verdict");
        foreach (var c in report.Comparison)
        {
            csv.AppendLine(string.Join(",", Quote(c.Check), Quote(c.Baseline), Quote(c.Gateway), Quote(c.Ratio), Quote(c.Target), Quote(c.Verdict)));
        }

        return csv.ToString();
    }

    public static string SectionCsv(ReportSection section)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", section.Header.Select(Quote)));
        foreach (var row in section.Rows)
        {
            csv.AppendLine(string.Join(",", row.Select(Quote)));
        }

        return csv.ToString();
    }

    public static string Html(RunReport report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(CultureInfo.InvariantCulture, $"<title>{E(report.Title)}</title>");
        html.AppendLine("""
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
            th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
            th{background:#f3f3f3}.miss{color:#b00;font-weight:bold}.pass{color:#070}
            .small{color:#666;font-size:12px} svg{background:#fff;border:1px solid #ddd}
            </style></head><body>
            """);
        html.AppendLine(CultureInfo.InvariantCulture, $"<h1>{E(report.Title)}</h1><p class=\"small\"><code>{E(report.Command)}</code> — started {report.Started:yyyy-MM-dd HH:mm:ss}, took {report.Elapsed:hh\\:mm\\:ss}</p>");
        html.Append(HtmlTable(["machine", ""], report.Machine.Rows().Select(r => new[] { r.Name, r.Value })));
        if (report.Comparison.Count > 0)
        {
            html.AppendLine("<h2>Comparison (gateway / bare YARP, same run)</h2>");
            html.Append(HtmlTable(["check", "baseline", "gateway", "ratio", "target", "verdict"],
                report.Comparison.Select(c => new[] { c.Check, c.Baseline, c.Gateway, c.Ratio, c.Target, c.Verdict })));
        }

        foreach (var section in report.Sections)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h2>{E(section.Title)}</h2>");
            html.Append(HtmlTable(section.Header, section.Rows));
            foreach (var note in section.Notes)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"small\">{E(note)}</p>");
            }
        }

        if (report.Thresholds.Count > 0)
        {
            html.AppendLine("<h2>Thresholds</h2>");
            html.Append(HtmlTable(["threshold", "scenario", "actual", "result"], report.Thresholds.Select(t => new[]
            {
                t.Threshold.Text, t.Scenario, t.Actual is { } a ? ReportTables.MetricValue(a) : "n/a", t.Passed ? "ok" : "BROKEN",
            })));
        }

        foreach (var note in report.Notes)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"small\">{E(note)}</p>");
        }

        html.AppendLine("<h2>Latency by percentile</h2>");
        foreach (var group in report.Results.Where(r => r.Global.Ok.Count > 0).GroupBy(r => r.Scenario))
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h3>{E(group.Key)}</h3>");
            html.AppendLine(LatencyChart(group.ToList()));
        }

        var memory = report.Results.Where(r => r.MemorySeries.Values.Any(s => s.Count > 2)).ToList();
        if (memory.Count > 0)
        {
            html.AppendLine("<h2>Resident memory over time</h2>");
            foreach (var result in memory)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<h3>{E(result.Key)}</h3>");
                html.AppendLine(MemoryChart(result));
            }
        }

        html.AppendLine("<h2>Scenarios (latency in ms)</h2>");
        foreach (var result in report.Results)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h3>{E(result.Key)}</h3><p class=\"small\">{E(string.Join(" → ", result.Simulations))}; measured {result.Duration.TotalSeconds:0.0} s</p>");
            html.Append(HtmlTable(ReportTables.StatsHeader, ReportTables.StatsRows(result)));
            html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"small\">status codes: {E(ReportTables.StatusLine(result.Global))}</p>");
            if (result.Metrics.Count > 0)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"small\">{E(string.Join("; ", result.Metrics.Select(m => $"{m.Key}: {ReportTables.MetricValue(m.Value)}")))}</p>");
            }

            foreach (var note in result.Notes)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p class=\"small\">note: {E(note)}</p>");
            }
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>Latency (ms, y) against percentile on a "nines" axis (x = log10(1 / (1 - p))), one line per target.</summary>
    private static string LatencyChart(List<ScenarioResult> results)
    {
        const int width = 760, height = 320, left = 60, right = 170, top = 15, bottom = 40;
        const double maxNines = 3.0;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var yMax = Math.Max(0.001, results.Max(r => r.Global.Ok.P999) * 1.1);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"11\">");
        foreach (var (label, nines) in new[] { ("p0", 0.0), ("p90", 1.0), ("p99", 2.0), ("p99.9", 3.0) })
        {
            var x = left + (nines / maxNines * plotWidth);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{top}\" x2=\"{x:0.#}\" y2=\"{top + plotHeight}\" stroke=\"#eee\"/><text x=\"{x:0.#}\" y=\"{height - 22}\" text-anchor=\"middle\">{label}</text>");
        }

        for (var i = 0; i <= 4; i++)
        {
            var value = yMax * i / 4;
            var y = top + plotHeight - (plotHeight * i / 4.0);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#eee\"/><text x=\"{left - 5}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{ReportTables.Ms(value)}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + (plotWidth / 2)}\" y=\"{height - 5}\" text-anchor=\"middle\">percentile</text><text x=\"12\" y=\"{top + (plotHeight / 2)}\" transform=\"rotate(-90 12 {top + (plotHeight / 2)})\" text-anchor=\"middle\">latency ms</text>");
        for (var i = 0; i < results.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var points = results[i].Global.Ok.Curve
                .Select(p => (Nines: p.Percentile >= 100 ? maxNines : Math.Min(maxNines, Math.Log10(100 / (100 - p.Percentile))), p.LatencyMs))
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{left + (p.Nines / maxNines * plotWidth):0.#},{top + plotHeight - (Math.Min(p.LatencyMs, yMax) / yMax * plotHeight):0.#}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" points=\"{string.Join(' ', points)}\"/>");
            var label = results[i].Target.Length > 0 ? results[i].Target : results[i].Scenario;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{width - right + 10}\" y=\"{top + (i * 16)}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{width - right + 25}\" y=\"{top + (i * 16) + 9}\">{E(label)} #{i + 1}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string MemoryChart(ScenarioResult result)
    {
        const int width = 760, height = 260, left = 60, right = 170, top = 15, bottom = 40;
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var series = result.MemorySeries.Where(s => s.Value.Count > 0).ToList();
        var xMax = Math.Max(1, series.Max(s => s.Value[^1].Seconds));
        var yMax = Math.Max(1, series.Max(s => s.Value.Max(p => p.Mb)) * 1.1);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"11\">");
        for (var i = 0; i <= 4; i++)
        {
            var y = top + plotHeight - (plotHeight * i / 4.0);
            var x = left + (plotWidth * i / 4.0);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#eee\"/><text x=\"{left - 5}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{yMax * i / 4:0} MB</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{height - 22}\" text-anchor=\"middle\">{xMax * i / 4:0} s</text>");
        }

        for (var i = 0; i < series.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var points = series[i].Value.Select(p => string.Create(CultureInfo.InvariantCulture, $"{left + (p.Seconds / xMax * plotWidth):0.#},{top + plotHeight - (p.Mb / yMax * plotHeight):0.#}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" points=\"{string.Join(' ', points)}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{width - right + 10}\" y=\"{top + (i * 16)}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{width - right + 25}\" y=\"{top + (i * 16) + 9}\">{E(series[i].Key)}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string HtmlTable(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var html = new StringBuilder("<table><tr>");
        foreach (var h in header)
        {
            html.Append("<th>").Append(E(h)).Append("</th>");
        }

        html.AppendLine("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                var css = cell.StartsWith("MISS", StringComparison.Ordinal) || cell == "BROKEN" ? " class=\"miss\"" : cell.StartsWith("pass", StringComparison.Ordinal) ? " class=\"pass\"" : "";
                html.Append(CultureInfo.InvariantCulture, $"<td{css}>").Append(E(cell)).Append("</td>");
            }

            html.AppendLine("</tr>");
        }

        html.AppendLine("</table>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
