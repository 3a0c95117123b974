using System.Collections.Concurrent;
using System.Diagnostics;

namespace LoadTests.Engine;

/// <summary>The state of one scenario while it runs: recorders, the measured-phase flag, copies and arrivals.</summary>
internal sealed class ScenarioExecution : IDisposable
{
    private readonly ConcurrentDictionary<string, StatsRecorder> _steps = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop;
    private volatile bool _recording;
    private long _measureStart = long.MaxValue;

    public ScenarioExecution(Scenario scenario, CancellationToken outer)
    {
        Scenario = scenario;
        Global = new StatsRecorder("global information");
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
    }

    public Scenario Scenario { get; }

    public StatsRecorder Global { get; }

    public ScenarioCounters Counters { get; } = new();

    /// <summary>The open model's per-window view of the measured phase; null for closed-model scenarios.</summary>
    public OpenTimeline? Timeline { get; set; }

    public CancellationToken Token => _stop.Token;

    public long Invocations;
    public int InFlight;
    public long LateStarts;

    public string Phase { get; set; } = "init";

    public IEnumerable<StatsRecorder> Steps => _steps.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    public StatsRecorder Step(string name) => _steps.GetOrAdd(name, static n => new StatsRecorder(n));

    public bool IsRecording => _recording;

    public long MeasureStart => Volatile.Read(ref _measureStart);

    /// <summary>Only iterations that started after the measured phase began are counted.</summary>
    public bool ShouldRecord(long iterationStart) => _recording && iterationStart >= Volatile.Read(ref _measureStart);

    public long StartMeasuring()
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _measureStart, now);
        _recording = true;
        return now;
    }

    public void StopMeasuring() => _recording = false;

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _stop.Dispose();
}
