using LoadTests.Engine;

namespace LoadTests.Scenarios;

/// <summary>
/// What a scenario runs against: a name (<c>baseline</c>, <c>gateway</c>), its public URL, whether it checks tokens
/// (the bare baseline forwards everything), the pid to sample when it is ours, and its admin API when it has one.
/// </summary>
internal sealed record LoadTarget(string Name, Uri Url, bool ChecksTokens, int? Pid = null, AdminClient? Admin = null)
{
    public IReadOnlyList<MonitoredProcess> Monitor => Pid is { } pid ? [new MonitoredProcess(Name, pid)] : [];

    /// <summary>Outside counters to report for this target (e.g. the Redis commands the gateway caused).</summary>
    public IReadOnlyList<ExternalCounter> Counters { get; init; } = [];
}

/// <summary>Settings shared by the scenarios of a run.</summary>
internal sealed record ScenarioSettings(IReadOnlyList<LoadSimulation> Simulations, TimeSpan WarmUp, string Path = "/api/items")
{
    /// <summary>See <see cref="Engine.Scenario.MeasureAllocations"/>.</summary>
    public bool MeasureAllocations { get; init; }
}

/// <summary>
/// Pre-minted <c>Authorization</c> values handed out once each; when the pool runs dry it wraps around and counts
/// the reuse, so a report can say the run was not fully unique.
/// </summary>
internal sealed class TokenPool
{
    private readonly string[] _authorizations;
    private long _next = -1;

    public TokenPool(string[] authorizations)
    {
        _authorizations = authorizations;
    }

    public int Size => _authorizations.Length;

    public long Handed => Interlocked.Read(ref _next) + 1;

    public long Reused => Math.Max(0, Handed - _authorizations.Length);

    public string Next() => _authorizations[Interlocked.Increment(ref _next) % _authorizations.Length];
}
