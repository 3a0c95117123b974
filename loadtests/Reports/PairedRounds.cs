using System.Globalization;

namespace LoadTests.Reports;

/// <summary>
/// Baseline and gateway rounds that ran one after the other (the compare check alternates them), read as pairs: the
/// machine's drift between pairs cancels within a pair, and the median over pairs is robust to one disturbed round,
/// as the issue's "median of 3 rounds" and the peers check's table already are.
/// </summary>
internal static class PairedRounds
{
    /// <summary>The median over pairs of gateway / baseline; pairs with a zero baseline are left out.</summary>
    public static double MedianRatio(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Median.Of(Pairs(baseline, gateway).Where(p => p.Baseline > 0).Select(p => p.Gateway / p.Baseline));

    /// <summary>The median over pairs of gateway − baseline.</summary>
    public static double MedianDifference(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Median.Of(Pairs(baseline, gateway).Select(p => p.Gateway - p.Baseline));

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
        for (var j = 0; j < n && 2 * (below + Binomial(n, j)) <= 0.05; j++)
        {
            below += Binomial(n, j);
            k = j + 1;
        }

        if (k == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        return (sorted[k - 1], sorted[n - k]);
    }

    /// <summary>
    /// What a verdict row adds on how far its median can be trusted, e.g. <c>; 95 % interval of the median 0.88–0.97×</c>
    /// for ratios or <c>; 95 % interval of the median +1.0 to +7.0 µs</c> for differences (<paramref name="unit"/> after
    /// them); empty below 6 pairs.
    /// </summary>
    public static string IntervalText(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway, bool ratio, string format, string unit = "")
    {
        var values = ratio
            ? Pairs(baseline, gateway).Where(p => p.Baseline > 0).Select(p => p.Gateway / p.Baseline).ToList()
            : Pairs(baseline, gateway).Select(p => p.Gateway - p.Baseline).ToList();
        if (MedianInterval(values) is not var (low, high))
        {
            return "";
        }

        var signed = format + ";-" + format + ";" + format;
        return ratio
            ? string.Create(CultureInfo.InvariantCulture, $"; 95 % interval of the median {low.ToString(format, CultureInfo.InvariantCulture)}–{high.ToString(format, CultureInfo.InvariantCulture)}×")
            : string.Create(CultureInfo.InvariantCulture, $"; 95 % interval of the median {low.ToString("+" + signed, CultureInfo.InvariantCulture)} to {high.ToString("+" + signed, CultureInfo.InvariantCulture)}{unit}");
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

    // P(Bin(n, ½) = j), as a product of ratios so that no factorial overflows.
    private static double Binomial(int n, int j)
    {
        var p = Math.Pow(0.5, n);
        for (var i = 1; i <= j; i++)
        {
            p = p * (n - j + i) / i;
        }

        return p;
    }

    private static IEnumerable<(double Baseline, double Gateway)> Pairs(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        baseline.Zip(gateway, (b, g) => (b, g));
}
