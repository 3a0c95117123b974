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
        Median.Of(Pairs(baseline, gateway).Where(p => p.Baseline > 0).Select(p => p.Gateway / p.Baseline));

    /// <summary>The median over pairs of gateway − baseline.</summary>
    public static double MedianDifference(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        Median.Of(Pairs(baseline, gateway).Select(p => p.Gateway - p.Baseline));

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

    private static IEnumerable<(double Baseline, double Gateway)> Pairs(IReadOnlyList<double> baseline, IReadOnlyList<double> gateway) =>
        baseline.Zip(gateway, (b, g) => (b, g));
}
