using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LoadTests.Engine;

/// <summary>
/// An open-model phase cut into 100 ms windows: per window, the arrivals due in it, how many of them took longer than
/// <see cref="SlowMs"/>, the slowest, and what the machine did meanwhile (the host's stolen and idle CPU from
/// <c>/proc/stat</c>, each monitored process's CPU and thread count from <c>/proc/&lt;pid&gt;/stat</c>). A round's p99 is
/// one number; this says whether its slow requests were spread over the round or bunched in a few moments, and what
/// was running then.
/// </summary>
internal sealed class OpenTimeline
{
    public const double SlowMs = 5;
    public const int WindowMs = 100;

    private readonly long _start;
    private readonly long _windowTicks;
    private readonly long _slowTicks;
    private readonly long[] _arrivals;
    private readonly long[] _slow;
    private readonly long[] _maxTicks;
    private readonly HostSample?[] _host;
    private readonly MonitoredProcess[] _processes;

    public OpenTimeline(long start, TimeSpan duration, IReadOnlyList<MonitoredProcess> processes)
    {
        _start = start;
        _windowTicks = Stopwatch.Frequency * WindowMs / 1000;
        _slowTicks = (long)(Stopwatch.Frequency * SlowMs / 1000);
        var windows = (int)Math.Ceiling(duration.TotalMilliseconds / WindowMs) + 1;
        _arrivals = new long[windows];
        _slow = new long[windows];
        _maxTicks = new long[windows];
        _host = new HostSample?[windows];
        // This process (the generator) first, then the monitored ones, each sampled the same way.
        _processes = [new MonitoredProcess("generator", Environment.ProcessId), .. processes];
    }

    public int Windows => _arrivals.Length;

    /// <summary>One arrival, by its intended start <paramref name="due"/>; arrivals outside the phase are not counted.</summary>
    public void Record(long due, long latencyTicks)
    {
        // Before the start, integer division would round towards window 0.
        var index = due < _start ? -1 : (due - _start) / _windowTicks;
        if (index < 0 || index >= _arrivals.Length)
        {
            return;
        }

        Interlocked.Increment(ref _arrivals[index]);
        if (latencyTicks > _slowTicks)
        {
            Interlocked.Increment(ref _slow[index]);
        }

        var max = Volatile.Read(ref _maxTicks[index]);
        while (latencyTicks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxTicks[index], latencyTicks, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>Samples the host and the processes every window until cancelled, on a thread of its own.</summary>
    public Task SampleAsync(CancellationToken token) => Task.Factory.StartNew(() =>
    {
        var previous = Read();
        var next = _start + _windowTicks;
        while (!token.IsCancellationRequested)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            var current = Read();
            var index = (next - _start) / _windowTicks - 1;
            if (index >= 0 && index < _host.Length)
            {
                _host[index] = current.Since(previous);
            }

            previous = current;
            next += _windowTicks;
        }
    }, token, TaskCreationOptions.LongRunning, TaskScheduler.Default).ContinueWith(static _ => { }, TaskScheduler.Default);

    /// <summary>
    /// The report's lines: how many requests were slow, how bunched they were, and the worst windows with what the
    /// machine did in them.
    /// </summary>
    public IReadOnlyList<string> Describe(int worst = 5)
    {
        var totalSlow = _slow.Sum();
        var total = _arrivals.Sum();
        var lines = new List<string>();
        if (total == 0)
        {
            return lines;
        }

        var order = Enumerable.Range(0, _arrivals.Length).Where(i => _arrivals[i] > 0).OrderByDescending(i => _slow[i]).ThenByDescending(i => _maxTicks[i]).ToList();
        var bunched = order.Take(worst).Sum(i => _slow[i]);
        var windowsWithSlow = order.Count(i => _slow[i] > 0);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"timeline ({WindowMs} ms windows): {totalSlow:N0} of {total:N0} requests over {SlowMs:0} ms ({100.0 * totalSlow / total:0.00} %), in {windowsWithSlow} of {order.Count} windows; the worst {Math.Min(worst, order.Count)} windows hold {(totalSlow == 0 ? 0 : 100.0 * bunched / totalSlow):0} % of them"));
        foreach (var i in order.Take(worst).Where(i => _slow[i] > 0))
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"  at {i * WindowMs / 1000.0:0.0} s: {_slow[i]:N0} of {_arrivals[i]:N0} over {SlowMs:0} ms, slowest {StatsRecorder.TicksToMicros(_maxTicks[i]) / 1000.0:0.0} ms");
            if (_host[i] is { } host)
            {
                text.Append(CultureInfo.InvariantCulture, $"; host steal {host.StealPercent:0} %, idle {host.IdlePercent:0} %");
                foreach (var (label, cpu, threads) in host.Processes)
                {
                    text.Append(CultureInfo.InvariantCulture, $", {label} {cpu:0} % of a core ({threads} threads)");
                }

                // The backend, Redis and whatever else ran: the busy share of all cores less the processes named.
                var others = ((100 - host.IdlePercent - host.StealPercent) * Environment.ProcessorCount) - host.Processes.Sum(p => p.CpuPercent);
                text.Append(CultureInfo.InvariantCulture, $", the rest {Math.Max(0, others):0} %");
            }

            lines.Add(text.ToString());
        }

        return lines;
    }

    private Snapshot Read()
    {
        var processes = new (string, long, int)[_processes.Length];
        for (var i = 0; i < _processes.Length; i++)
        {
            var (ticks, threads) = ProcStat.Process(_processes[i].Pid);
            processes[i] = (_processes[i].Label, ticks, threads);
        }

        return new Snapshot(ProcStat.Host(), processes);
    }

    private sealed record Snapshot(ProcStat.HostTicks Host, (string Label, long Ticks, int Threads)[] Processes)
    {
        public HostSample Since(Snapshot before)
        {
            var all = Math.Max(1, Host.Total - before.Host.Total);

            // Process ticks are per core, host ticks summed over cores: a process's share is against one core's worth.
            var perCore = (double)all / Environment.ProcessorCount;
            var processes = new (string, double, int)[Processes.Length];
            for (var i = 0; i < Processes.Length; i++)
            {
                processes[i] = (Processes[i].Label, 100.0 * (Processes[i].Ticks - before.Processes[i].Ticks) / perCore, Processes[i].Threads);
            }

            return new HostSample(Host.StealPercentSince(before.Host) ?? 0, 100.0 * (Host.Idle - before.Host.Idle) / all, processes);
        }
    }

    private sealed record HostSample(double StealPercent, double IdlePercent, (string Label, double CpuPercent, int Threads)[] Processes);
}
