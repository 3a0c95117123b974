namespace LoadTests.Engine;

/// <summary>
/// A named async body that performs one iteration, with an optional init and clean, a warm-up (not counted) and
/// load simulations run one after another.
/// </summary>
internal sealed class Scenario
{
    public Scenario(string name, Func<ScenarioContext, ValueTask<Response>> body)
    {
        Name = name;
        Body = body;
    }

    public string Name { get; }

    /// <summary>What it runs against (e.g. <c>baseline</c>, <c>gateway</c>); empty when there is one target.</summary>
    public string Target { get; init; } = "";

    public Func<ScenarioContext, ValueTask<Response>> Body { get; }

    /// <summary>Runs before the warm-up (e.g. pre-minting tokens), so it never loads the measured phase.</summary>
    public Func<CancellationToken, Task>? Init { get; init; }

    /// <summary>Runs after the measured phase; may add metrics and notes to the result.</summary>
    public Func<ScenarioResult, CancellationToken, Task>? Clean { get; init; }

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<LoadSimulation> Simulations { get; init; } = [new KeepConstant(1, TimeSpan.FromSeconds(10))];

    /// <summary>Processes whose CPU time and resident memory are sampled while the scenario runs.</summary>
    public IReadOnlyList<MonitoredProcess> Monitor { get; init; } = [];

    /// <summary>
    /// The monitored processes also report bytes allocated per iteration (<see cref="AllocationMeter"/>). Off by default:
    /// the session's event thread runs inside the process, which an open-model latency check should not carry.
    /// </summary>
    public bool MeasureAllocations { get; init; }

    /// <summary>Outside counters read when the measured phase starts and ends (e.g. Redis commands processed).</summary>
    public IReadOnlyList<ExternalCounter> ExternalCounters { get; init; } = [];

    public string Key => Target.Length == 0 ? Name : $"{Name} @ {Target}";
}

/// <summary>A counter outside this process; the report gets its growth over the measured phase, also per iteration.</summary>
internal sealed record ExternalCounter(string Name, Func<CancellationToken, Task<double?>> ReadAsync);

/// <summary>A process to sample: a label for the report and its pid.</summary>
internal sealed record MonitoredProcess(string Label, int Pid);
