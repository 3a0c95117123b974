using System.Globalization;

namespace LoadTests.Reports;

/// <summary>
/// Baseline and gateway rounds that ran one after the other (the compare check alternates them), read as pairs: the
/// machine's drift between pairs cancels within a pair, and the median over pairs is robust to one disturbed round,
/// as the "median of 3 rounds" and the peers check's table already are.
/// </summary>
internal static class PairedRounds
{
    /// <summary>The median over pairs of gateway / baseline; pairs with a zero baseline are left out.</summary>
    public static double MedianRatio(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Median.Of(Ratios(baseline, gateway));

    /// <summary>The median over pairs of gateway − baseline.</summary>
    public static double MedianDifference(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Median.Of(Differences(baseline, gateway));

    /// <summary>
    /// A distribution-free interval for the median over pairs: the order statistics x(k) and x(n+1−k), with k the largest
    /// for which the sign test's binomial leaves at most 5 % outside (Bin(n, ½) ≤ k − 1 on either side). It covers the
    /// median of such pairs on this machine with at least 95 % probability, whatever the rounds' spread looks like. Null
    /// below 6 pairs, where even the smallest and largest cover less than 95 %.
    /// </summary>
    public static (double Low, double High)? MedianInterval(IReadOnlyList<double> values)
    {
        var n = values.Count;
        var k = 0;
        var below = 0.0;
        // P(Bin(n, ½) = j) = C(n, j) / 2^n, in logs so that no power of 2 underflows; log C(n, j) is built up term by term.
        var logAll = n * Math.Log(2);
        var logChoose = 0.0;
        for (var j = 0; j < n / 2; j++)
        {
            logChoose += j == 0 ? 0 : Math.Log(n - j + 1) - Math.Log(j);
            below += Math.Exp(logChoose - logAll);
            if (2 * below > 0.05)
            {
                break;
            }

            k = j + 1;
        }

        if (k == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        return (sorted[k - 1], sorted[n - k]);
    }

    /// <summary>What a ratio's verdict row adds on how far its median can be trusted, e.g. <c>; 95 % interval of the median 0.88–0.97×</c>; empty below 6 pairs.</summary>
    public static string RatioInterval(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        MedianInterval(Ratios(baseline, gateway).ToList()) is var (low, high)
            ? string.Create(CultureInfo.InvariantCulture, $"; 95 % interval of the median {low:0.00}–{high:0.00}×")
            : "";

    /// <summary>The same for a difference, signed, e.g. <c>; 95 % interval of the median -0.2 to +5.9 µs</c>; empty below 6 pairs.</summary>
    public static string DifferenceInterval(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway, string format, string unit)
    {
        var signed = $"+{format};-{format};{format}";
        return MedianInterval(Differences(baseline, gateway).ToList()) is var (low, high)
            ? $"; 95 % interval of the median {low.ToString(signed, CultureInfo.InvariantCulture)} to {high.ToString(signed, CultureInfo.InvariantCulture)}{unit}"
            : "";
    }

    /// <summary>Each pair as "baseline/gateway", in the order they ran, e.g. <c>9.74/7.89, 7.17/5.45</c>.</summary>
    public static string Describe(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway, string format) =>
        string.Join(", ", Pairs(baseline, gateway).Select(p =>
            p.Baseline.ToString(format, CultureInfo.InvariantCulture) + "/" + p.Gateway.ToString(format, CultureInfo.InvariantCulture)));

    /// <summary>
    /// What a verdict row says of its rounds, e.g. <c>median of 3 paired rounds, b/g: 9.74/7.89, ...</c>; empty for one
    /// round, where there is nothing to pair.
    /// </summary>
    public static string Summary(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway, string format) =>
        baseline.Count > 1
            ? string.Create(CultureInfo.InvariantCulture, $"median of {baseline.Count} paired rounds, b/g: {Describe(baseline, gateway, format)}")
            : "";

    private static IEnumerable<double> Ratios(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Pairs(baseline, gateway).Where(p => p.Baseline > 0).Select(p => p.Gateway / p.Baseline);

    private static IEnumerable<double> Differences(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Pairs(baseline, gateway).Select(p => p.Gateway - p.Baseline);

    private static IEnumerable<(double Baseline, double Gateway)> Pairs(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        baseline.Zip(gateway, (b, g) => (b, g));
}
