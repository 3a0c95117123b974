using System.Collections.Concurrent;
using System.Diagnostics;

namespace LoadTests.Engine;

/// <summary>What one iteration sees: its copy (closed model) or arrival number (open model), a random source, steps.</summary>
internal sealed class ScenarioContext
{
    private readonly ScenarioExecution _execution;

    internal ScenarioContext(ScenarioExecution execution, int copyId, Random random)
    {
        _execution = execution;
        CopyId = copyId;
        Random = random;
    }

    /// <summary>The copy's number in the closed model; the arrival's number in the open model.</summary>
    public int CopyId { get; internal set; }

    public long InvocationNumber { get; internal set; }

    public Random Random { get; }

    public CancellationToken CancellationToken => _execution.Token;

    /// <summary>Counters that end up in the report (e.g. violations).</summary>
    public ScenarioCounters Counters => _execution.Counters;

    internal long IterationStart { get; set; }

    /// <summary>Runs a named step and records it in that step's own statistics.</summary>
    public async ValueTask<Response> StepAsync(string name, Func<ValueTask<Response>> step)
    {
        var start = Stopwatch.GetTimestamp();
        Response response;
        try
        {
            response = await step();
        }
        catch (Exception ex) when (!CancellationToken.IsCancellationRequested)
        {
            response = Response.Fail(0, 0, ex.GetType().Name);
        }

        if (_execution.ShouldRecord(IterationStart))
        {
            _execution.Step(name).Record(response, Stopwatch.GetTimestamp() - start);
        }

        return response;
    }

    /// <summary>Ends the scenario's measured phase early (e.g. once a fixed number of requests was sent).</summary>
    public void StopScenario() => _execution.Stop();
}

/// <summary>Named thread-safe counters of a scenario run.</summary>
internal sealed class ScenarioCounters
{
    private readonly ConcurrentDictionary<string, Cell> _counters = new(StringComparer.Ordinal);

    public void Increment(string name, long by = 1) =>
        Interlocked.Add(ref _counters.GetOrAdd(name, static _ => new Cell()).Value, by);

    public long Get(string name) => _counters.TryGetValue(name, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public IEnumerable<KeyValuePair<string, long>> All => _counters.Select(kv => new KeyValuePair<string, long>(kv.Key, Interlocked.Read(ref kv.Value.Value)));

    private sealed class Cell
    {
        public long Value;
    }
}
