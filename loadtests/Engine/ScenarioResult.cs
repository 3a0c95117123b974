namespace LoadTests.Engine;

/// <summary>Everything one scenario run produced, for the reports.</summary>
internal sealed class ScenarioResult
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    public required IReadOnlyList<string> Simulations { get; init; }

    public required TimeSpan Duration { get; init; }

    public required StatsSnapshot Global { get; init; }

    public required IReadOnlyList<StatsSnapshot> Steps { get; init; }

    public long LateStarts { get; init; }

    public bool IsOpenModel { get; init; }

    /// <summary>Extra numbers (CPU, memory, violations, lag) by name; names carry their unit.</summary>
    public SortedDictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    /// <summary>Resident memory over time, per monitored process: (seconds since start, MB).</summary>
    public Dictionary<string, List<(double Seconds, double Mb)>> MemorySeries { get; } = new(StringComparer.Ordinal);

    public List<string> Notes { get; } = [];

    public string Key => Target.Length == 0 ? Scenario : $"{Scenario} @ {Target}";
}
