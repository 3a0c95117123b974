namespace LoadTests.Reports;

/// <summary>The median of a few rounds: robust to one disturbed round on a shared machine, unlike the mean.</summary>
internal static class Median
{
    /// <summary>The middle value (the mean of the two middle ones for an even count); 0 for none.</summary>
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
