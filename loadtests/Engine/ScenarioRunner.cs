using System.Diagnostics;
using System.Globalization;

namespace LoadTests.Engine;

/// <summary>How a run behaves beyond its scenarios.</summary>
internal sealed record RunSettings
{
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An open-model arrival that starts later than this after its intended time counts as a late start.</summary>
    public TimeSpan LateThreshold { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Open-model arrivals in flight at most; beyond it arrivals wait (and count as late).</summary>
    public int MaxInFlight { get; init; } = 20_000;

    /// <summary>How long the open model waits for in-flight arrivals after the last phase.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TextWriter Output { get; init; } = Console.Out;
}

/// <summary>
/// Runs scenarios (several at once when given together): init, warm-up (not counted), the load simulations in
/// sequence, then clean. Closed-model copies loop; open-model arrivals run once each, timed from their intended start.
/// </summary>
internal static class ScenarioRunner
{
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(IReadOnlyList<Scenario> scenarios, RunSettings settings, CancellationToken cancellationToken)
    {
        var runs = scenarios.Select(s => RunOneAsync(s, settings, cancellationToken)).ToList();
        return await Task.WhenAll(runs);
    }

    public static async Task<ScenarioResult> RunOneAsync(Scenario scenario, RunSettings settings, CancellationToken cancellationToken)
    {
        using var execution = new ScenarioExecution(scenario, cancellationToken);
        var token = execution.Token;
        if (scenario.Init is { } init)
        {
            execution.Phase = "init";
            await init(cancellationToken);
        }

        var maxCopies = Math.Max(1, scenario.Simulations.Select(s => s switch
        {
            KeepConstant k => k.Copies,
            RampingConstant r => r.Copies,
            _ => 0,
        }).DefaultIfEmpty(0).Max());
        var closed = new ClosedCopies(execution, maxCopies);
        var total = scenario.Simulations.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.During);
        using var progressCts = CancellationTokenSource.CreateLinkedTokenSource(token);
        var progress = ProgressAsync(execution, settings, total, progressCts.Token);
        await using var sampler = new MonitorSampler(scenario.Monitor, scenario.MeasureAllocations);

        long measureStart = 0;
        long measureEnd = 0;
        double?[] externalStart = [];
        var timelineSampling = Task.CompletedTask;
        try
        {
            if (scenario.WarmUp > TimeSpan.Zero && WarmUpShape(scenario.Simulations[0], scenario.WarmUp) is { } warm)
            {
                execution.Phase = "warm-up";
                await RunSimulationAsync(execution, closed, warm, 0, 0, settings, token);
            }

            sampler.Start();
            externalStart = await ReadExternalAsync(scenario, cancellationToken);
            measureStart = execution.StartMeasuring();
            if (scenario.Simulations.Any(s => s.IsOpen))
            {
                execution.Timeline = new OpenTimeline(measureStart, total, scenario.Monitor);
                timelineSampling = execution.Timeline.SampleAsync(progressCts.Token);
            }

            var copies = 0;
            var rate = 0.0;
            for (var i = 0; i < scenario.Simulations.Count && !token.IsCancellationRequested; i++)
            {
                var simulation = scenario.Simulations[i];
                execution.Phase = simulation.Describe();
                await RunSimulationAsync(execution, closed, simulation, copies, rate, settings, token);
                copies = simulation switch { KeepConstant k => k.Copies, RampingConstant r => r.Copies, Pause => 0, _ => copies };
                rate = OpenSchedule.EndRate(simulation, rate);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // StopScenario(): the measured phase ends here.
        }
        finally
        {
            measureEnd = Stopwatch.GetTimestamp();
            closed.SetDesired(0);
            await closed.WhenStoppedAsync();
            await DrainAsync(execution, settings.DrainTimeout);
            execution.StopMeasuring();
            await progressCts.CancelAsync();
            await progress;
            await timelineSampling;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var duration = Stopwatch.GetElapsedTime(measureStart, measureEnd);
        var result = new ScenarioResult
        {
            Scenario = scenario.Name,
            Target = scenario.Target,
            Simulations = scenario.Simulations.Select(s => s.Describe()).ToList(),
            Duration = duration,
            Global = execution.Global.Snapshot(duration),
            Steps = execution.Steps.Select(s => s.Snapshot(duration)).ToList(),
            LateStarts = Interlocked.Read(ref execution.LateStarts),
            IsOpenModel = scenario.Simulations.Any(s => s.IsOpen),
        };
        await sampler.FinishAsync(result, duration);
        var externalEnd = await ReadExternalAsync(scenario, cancellationToken);
        for (var i = 0; i < scenario.ExternalCounters.Count && i < externalStart.Length; i++)
        {
            if (externalStart[i] is { } before && externalEnd[i] is { } after)
            {
                var name = scenario.ExternalCounters[i].Name;
                result.Metrics[name] = after - before;
                if (result.Global.Requests > 0)
                {
                    result.Metrics[name + " per iteration"] = Math.Round((after - before) / result.Global.Requests, 3);
                }
            }
        }
        foreach (var (name, value) in execution.Counters.All)
        {
            result.Metrics[name] = value;
        }

        if (result.IsOpenModel)
        {
            result.Metrics["late starts"] = result.LateStarts;
        }

        if (execution.Timeline is { } timeline)
        {
            result.Notes.AddRange(timeline.Describe());
        }

        if (scenario.Clean is { } clean)
        {
            await clean(result, cancellationToken);
        }

        return result;
    }

    private static async Task<double?[]> ReadExternalAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var values = new double?[scenario.ExternalCounters.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = await scenario.ExternalCounters[i].ReadAsync(cancellationToken);
        }

        return values;
    }

    private static LoadSimulation? WarmUpShape(LoadSimulation first, TimeSpan during) => first switch
    {
        KeepConstant k => k with { During = during },
        RampingConstant r => new KeepConstant(r.Copies, during),
        Inject i => i with { During = during },
        RampingInject r => new Inject(r.Rate, r.Interval, during),
        InjectRandom r => r with { During = during },
        _ => null,
    };

    private static async Task RunSimulationAsync(ScenarioExecution execution, ClosedCopies closed, LoadSimulation simulation, int previousCopies,
        double previousRate, RunSettings settings, CancellationToken token)
    {
        if (simulation.IsOpen)
        {
            closed.SetDesired(0);
            await RunOpenAsync(execution, simulation, previousRate, settings, token);
        }
        else
        {
            await RunClosedAsync(closed, simulation, previousCopies, token);
        }
    }

    private static async Task RunClosedAsync(ClosedCopies closed, LoadSimulation simulation, int fromCopies, CancellationToken token)
    {
        var start = Stopwatch.GetTimestamp();
        var during = simulation.During;
        while (!token.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= during)
            {
                break;
            }

            var fraction = elapsed / during;
            closed.SetDesired(simulation switch
            {
                KeepConstant k => k.Copies,
                RampingConstant r => (int)Math.Round(fromCopies + ((r.Copies - fromCopies) * fraction)),
                _ => 0,
            });
            var wait = during - elapsed;
            await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50), token);
        }
    }

    /// <summary>
    /// The open model's dispatcher runs on its own thread (not a timer on the busy thread pool), sleeping 1 ms at a
    /// time, and starts every arrival that is due; each arrival's latency counts from its intended start.
    /// </summary>
    private static async Task RunOpenAsync(ScenarioExecution execution, LoadSimulation simulation, double previousRate, RunSettings settings, CancellationToken token)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(simulation.During.TotalSeconds * Stopwatch.Frequency);
        await Task.Factory.StartNew(() => Dispatch(execution, simulation, previousRate, settings, start, token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, token);
        }
    }

    private static void Dispatch(ScenarioExecution execution, LoadSimulation simulation, double previousRate, RunSettings settings, long start, CancellationToken token)
    {
        var frequency = (double)Stopwatch.Frequency;
        var lateTicks = (long)(settings.LateThreshold.TotalSeconds * frequency);
        using var arrivals = OpenSchedule.Offsets(simulation, previousRate, new Random(unchecked((int)start))).GetEnumerator();
        var more = arrivals.MoveNext();
        var number = 0;
        while (more && !token.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            while (more)
            {
                var due = start + (long)(arrivals.Current * frequency);
                if (due > now || Volatile.Read(ref execution.InFlight) >= settings.MaxInFlight)
                {
                    break;
                }

                if (now - due > lateTicks && execution.ShouldRecord(due))
                {
                    Interlocked.Increment(ref execution.LateStarts);
                }

                Interlocked.Increment(ref execution.InFlight);
                // The send itself runs on the thread pool: the dispatcher only keeps time, so a slow send cannot
                // delay the arrivals behind it (any queueing still counts, from the intended start).
                ThreadPool.UnsafeQueueUserWorkItem(static state => _ = RunArrivalAsync(state.execution, state.number, state.due), (execution, number: number++, due), preferLocal: false);
                more = arrivals.MoveNext();
            }

            if (more)
            {
                Thread.Sleep(1);
            }
        }
    }

    private static async Task RunArrivalAsync(ScenarioExecution execution, int number, long due)
    {
        try
        {
            var context = new ScenarioContext(execution, number, Random.Shared)
            {
                InvocationNumber = Interlocked.Increment(ref execution.Invocations),
                IterationStart = due,
            };
            var response = await InvokeAsync(execution, context);
            if (execution.ShouldRecord(due))
            {
                var latency = Stopwatch.GetTimestamp() - due;
                execution.Global.Record(response, latency);
                execution.Timeline?.Record(due, latency);
            }
        }
        finally
        {
            Interlocked.Decrement(ref execution.InFlight);
        }
    }

    internal static async ValueTask<Response> InvokeAsync(ScenarioExecution execution, ScenarioContext context)
    {
        try
        {
            return await execution.Scenario.Body(context);
        }
        catch (Exception ex) when (!execution.Token.IsCancellationRequested)
        {
            return Response.Fail(0, 0, ex.GetType().Name);
        }
        catch (Exception ex)
        {
            // The scenario is stopping: an interrupted iteration is not a result.
            return Response.Fail(0, 0, "cancelled:" + ex.GetType().Name);
        }
    }

    private static async Task DrainAsync(ScenarioExecution execution, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref execution.InFlight) > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static async Task ProgressAsync(ScenarioExecution execution, RunSettings settings, TimeSpan total, CancellationToken token)
    {
        long lastCount = 0;
        var last = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                await Task.Delay(settings.ProgressInterval, token);
                var now = Stopwatch.GetTimestamp();
                var count = execution.Global.OkCount + execution.Global.FailCount;
                var rps = (count - lastCount) / Stopwatch.GetElapsedTime(last, now).TotalSeconds;
                lastCount = count;
                last = now;
                var line = execution.IsRecording
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"  {execution.Scenario.Key,-34} {Stopwatch.GetElapsedTime(execution.MeasureStart, now),8:mm\\:ss} of {total:mm\\:ss}  ok {execution.Global.OkCount,10:N0}  fail {execution.Global.FailCount,8:N0}  rps {rps,9:N0}  p50 {execution.Global.OkPercentileMs(50),7:0.00} ms  p99 {execution.Global.OkPercentileMs(99),7:0.00} ms  in-flight {Volatile.Read(ref execution.InFlight)}  late {Interlocked.Read(ref execution.LateStarts):N0}")
                    : $"  {execution.Scenario.Key,-34} {execution.Phase}...";
                await settings.Output.WriteLineAsync(line);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The closed model's copies: each loops while its number is below the desired count.</summary>
    private sealed class ClosedCopies
    {
        private readonly ScenarioExecution _execution;
        private readonly int[] _running;
        private readonly Task?[] _workers;
        private int _desired;

        public ClosedCopies(ScenarioExecution execution, int maxCopies)
        {
            _execution = execution;
            _running = new int[maxCopies];
            _workers = new Task?[maxCopies];
        }

        public void SetDesired(int copies)
        {
            copies = Math.Clamp(copies, 0, _running.Length);
            Volatile.Write(ref _desired, copies);
            for (var id = 0; id < copies; id++)
            {
                if (Interlocked.CompareExchange(ref _running[id], 1, 0) == 0)
                {
                    var copy = id;
                    _workers[id] = Task.Run(() => LoopAsync(copy));
                }
            }
        }

        public async Task WhenStoppedAsync()
        {
            foreach (var worker in _workers)
            {
                if (worker is not null)
                {
                    await worker;
                }
            }
        }

        private async Task LoopAsync(int id)
        {
            var execution = _execution;
            var context = new ScenarioContext(execution, id, new Random(unchecked((id * 7919) + Environment.TickCount)));
            try
            {
                while (!execution.Token.IsCancellationRequested && id < Volatile.Read(ref _desired))
                {
                    var start = Stopwatch.GetTimestamp();
                    context.IterationStart = start;
                    context.InvocationNumber = Interlocked.Increment(ref execution.Invocations);
                    var response = await InvokeAsync(execution, context);
                    if (execution.ShouldRecord(start) && !execution.Token.IsCancellationRequested)
                    {
                        execution.Global.Record(response, Stopwatch.GetTimestamp() - start);
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _running[id], 0);
            }
        }
    }

    /// <summary>The metric with the bytes a monitored process allocated per iteration (<see cref="Scenario.MeasureAllocations"/>).</summary>
    public static string AllocationsKey(string label) => $"alloc {label} (bytes per iteration)";

    /// <summary>The share of the host's CPU time the hypervisor gave to other machines during a measured phase.</summary>
    public const string HostStealMetric = "host steal (% of the CPU)";

    /// <summary>Stolen ticks over all ticks between two reads of <c>/proc/stat</c>, in %; null when there is nothing to read.</summary>
    internal static double? StealPercent(ProcStat.HostTicks before, ProcStat.HostTicks after) =>
        before.Total > 0 && after.StealPercentSince(before) is { } percent ? Math.Round(percent, 1) : null;

    /// <summary>
    /// Samples CPU time (start and end) and resident memory (every second) of this and the monitored processes, and,
    /// when asked, what the monitored processes allocate in between.
    /// </summary>
    private sealed class MonitorSampler : IAsyncDisposable
    {
        private readonly IReadOnlyList<MonitoredProcess> _processes;
        private readonly bool _measureAllocations;
        private readonly Dictionary<string, AllocationMeter> _meters = new(StringComparer.Ordinal);
        private readonly List<string> _meterFailures = [];
        private readonly Dictionary<string, List<(double, double)>> _series = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan?> _cpuStart = new(StringComparer.Ordinal);
        private readonly CancellationTokenSource _cts = new();
        private TimeSpan _ownCpuStart;
        private ProcStat.HostTicks _hostStart;
        private long _start;
        private Task _loop = Task.CompletedTask;

        public MonitorSampler(IReadOnlyList<MonitoredProcess> processes, bool measureAllocations)
        {
            _processes = processes;
            _measureAllocations = measureAllocations;
        }

        public void Start()
        {
            _start = Stopwatch.GetTimestamp();
            _ownCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            _hostStart = ProcStat.Host();
            foreach (var p in _processes)
            {
                _cpuStart[p.Label] = ProcessSampler.CpuTime(p.Pid);
                _series[p.Label] = [];
                if (_measureAllocations)
                {
                    if (AllocationMeter.TryStart(p.Pid, out var failure) is { } meter)
                    {
                        _meters[p.Label] = meter;
                    }
                    else
                    {
                        _meterFailures.Add($"allocations of {p.Label} not measured: {failure}");
                    }
                }
            }

            if (_processes.Count > 0)
            {
                _loop = SampleLoopAsync(_cts.Token);
            }
        }

        public async Task FinishAsync(ScenarioResult result, TimeSpan duration)
        {
            await _cts.CancelAsync();
            await _loop;
            var seconds = Math.Max(0.001, duration.TotalSeconds);
            var own = Process.GetCurrentProcess().TotalProcessorTime - _ownCpuStart;
            result.Notes.AddRange(_meterFailures);
            result.Metrics["cpu generator (% of a core)"] = Math.Round(100 * own.TotalSeconds / seconds, 1);
            if (StealPercent(_hostStart, ProcStat.Host()) is { } steal)
            {
                result.Metrics[HostStealMetric] = steal;
            }

            foreach (var p in _processes)
            {
                if (_cpuStart[p.Label] is { } before && ProcessSampler.CpuTime(p.Pid) is { } after)
                {
                    result.Metrics[$"cpu {p.Label} (% of a core)"] = Math.Round(100 * (after - before).TotalSeconds / seconds, 1);
                    if (result.Global.Requests > 0)
                    {
                        result.Metrics[$"cpu {p.Label} (µs per iteration)"] = Math.Round((after - before).TotalMilliseconds * 1000 / result.Global.Requests, 1);
                    }
                }

                if (_meters.TryGetValue(p.Label, out var meter))
                {
                    var tally = await meter.StopAsync();
                    if (result.Global.Requests > 0)
                    {
                        result.Metrics[AllocationsKey(p.Label)] = Math.Round((double)tally.Bytes / result.Global.Requests);
                    }
                }

                Sample(p);
                var series = _series[p.Label];
                if (series.Count > 0)
                {
                    result.Metrics[$"rss {p.Label} start (MB)"] = Math.Round(series[0].Item2, 1);
                    result.Metrics[$"rss {p.Label} end (MB)"] = Math.Round(series[^1].Item2, 1);
                    result.Metrics[$"rss {p.Label} peak (MB)"] = Math.Round(series.Max(s => s.Item2), 1);
                    if (series.Count >= 8)
                    {
                        // Where the curve was along the way: flat after the caches fill, or still climbing?
                        foreach (var quarter in new[] { 25, 50, 75 })
                        {
                            result.Metrics[$"rss {p.Label} at {quarter}% (MB)"] = Math.Round(series[(series.Count - 1) * quarter / 100].Item2, 1);
                        }
                    }

                    result.MemorySeries[p.Label] = series.Select(s => (s.Item1, s.Item2)).ToList();
                }
            }

        }

        public async ValueTask DisposeAsync()
        {
            foreach (var meter in _meters.Values)
            {
                await meter.DisposeAsync();
            }

            _cts.Dispose();
        }

        private async Task SampleLoopAsync(CancellationToken token)
        {
            try
            {
                while (true)
                {
                    foreach (var p in _processes)
                    {
                        Sample(p);
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private void Sample(MonitoredProcess process)
        {
            if (ProcessSampler.RssMb(process.Pid) is { } mb)
            {
                lock (_series)
                {
                    _series[process.Label].Add((Stopwatch.GetElapsedTime(_start).TotalSeconds, mb));
                }
            }
        }
    }
}
