using System.Globalization;
using LoadTests.Engine;

namespace LoadTests.Reports;

/// <summary>
/// A threshold such as <c>p99&lt;5</c>, <c>fail%&lt;1</c>, <c>rps&gt;1000</c>, optionally scoped to scenarios by
/// prefix (<c>reused-tokens:p99&lt;5</c>). Latencies in ms. Any other name is looked up in the result's metrics.
/// </summary>
internal sealed record Threshold(string? Scope, string Metric, string Operator, double Value, string Text)
{
    private static readonly string[] Operators = ["<=", ">=", "<", ">"];

    public static Threshold Parse(string text)
    {
        var body = text.Replace(" ", "", StringComparison.Ordinal);
        string? scope = null;
        var colon = body.LastIndexOf(':');
        if (colon > 0)
        {
            scope = body[..colon];
            body = body[(colon + 1)..];
        }

        foreach (var op in Operators)
        {
            var at = body.IndexOf(op, StringComparison.Ordinal);
            if (at > 0 && double.TryParse(body[(at + op.Length)..].TrimEnd('m', 's', '%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return new Threshold(scope, body[..at].ToLowerInvariant(), op, value, text);
            }
        }

        throw new FormatException($"--threshold '{text}': expected [scenario:]metric<op>value, e.g. p99<5 or fail%<1");
    }

    public bool AppliesTo(ScenarioResult result) =>
        Scope is null || result.Key.StartsWith(Scope, StringComparison.OrdinalIgnoreCase) || result.Target.Equals(Scope, StringComparison.OrdinalIgnoreCase);

    public double? Actual(ScenarioResult result)
    {
        var ok = result.Global.Ok;
        return Metric switch
        {
            "p50" => ok.P50,
            "p75" => ok.P75,
            "p95" => ok.P95,
            "p99" => ok.P99,
            "p99.9" or "p999" => ok.P999,
            "mean" => ok.MeanMs,
            "max" => ok.MaxMs,
            "min" => ok.MinMs,
            "rps" => ok.Rps,
            "fail%" => result.Global.FailPercent,
            "ok%" => 100 - result.Global.FailPercent,
            "fail" => result.Global.Fail.Count,
            "requests" => result.Global.Requests,
            _ => result.Metrics.FirstOrDefault(m => m.Key.StartsWith(Metric, StringComparison.OrdinalIgnoreCase)) is { Key: not null } m ? m.Value : null,
        };
    }

    public bool Holds(double actual) => Operator switch
    {
        "<" => actual < Value,
        "<=" => actual <= Value,
        ">" => actual > Value,
        _ => actual >= Value,
    };
}

internal sealed record ThresholdOutcome(Threshold Threshold, string Scenario, double? Actual, bool Passed);

internal static class ThresholdCheck
{
    public static List<ThresholdOutcome> Evaluate(IReadOnlyList<Threshold> thresholds, IEnumerable<ScenarioResult> results)
    {
        var outcomes = new List<ThresholdOutcome>();
        foreach (var result in results)
        {
            foreach (var threshold in thresholds.Where(t => t.AppliesTo(result)))
            {
                var actual = threshold.Actual(result);
                outcomes.Add(new ThresholdOutcome(threshold, result.Key, actual, actual is { } a && threshold.Holds(a)));
            }
        }

        return outcomes;
    }
}
