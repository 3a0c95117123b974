using System.Diagnostics;
using HdrHistogram;

namespace LoadTests.Engine;

/// <summary>
/// Thread-safe statistics of one scenario or step: latencies in microseconds in concurrent HdrHistograms, split
/// ok / fail, with byte counts and status codes.
/// </summary>
internal sealed class StatsRecorder
{
    private const long HighestMicros = 120L * 1_000_000;
    private const int StatusSlots = 600;

    private readonly Side _ok = new();
    private readonly Side _fail = new();
    private readonly long[] _okStatus = new long[StatusSlots];
    private readonly long[] _failStatus = new long[StatusSlots];

    public StatsRecorder(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public long OkCount => Interlocked.Read(ref _ok.Count);

    public long FailCount => Interlocked.Read(ref _fail.Count);

    public static long TicksToMicros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    public void Record(in Response response, long latencyTicks)
    {
        var micros = Math.Clamp(TicksToMicros(latencyTicks), 1, HighestMicros);
        var side = response.IsOk ? _ok : _fail;
        side.Record(micros, response.Bytes);
        var status = response.StatusCode is >= 0 and < StatusSlots ? response.StatusCode : 0;
        Interlocked.Increment(ref (response.IsOk ? _okStatus : _failStatus)[status]);
    }

    /// <summary>Latency at a percentile of the ok side so far, in ms (approximate while recording).</summary>
    public double OkPercentileMs(double percentile) =>
        Interlocked.Read(ref _ok.Count) == 0 ? 0 : _ok.Histogram.GetValueAtPercentile(percentile) / 1000.0;

    public StatsSnapshot Snapshot(TimeSpan duration)
    {
        var ok = _ok.Snapshot(duration);
        var fail = _fail.Snapshot(duration);
        var all = ok.Count + fail.Count;
        var codes = new List<StatusCount>();
        Collect(_okStatus, true, all, codes);
        Collect(_failStatus, false, all, codes);
        codes.Sort((x, y) => y.Count.CompareTo(x.Count));
        return new StatsSnapshot(Name, all, ok, fail, codes, duration);
    }

    private static void Collect(long[] slots, bool isOk, long all, List<StatusCount> codes)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            var count = Interlocked.Read(ref slots[i]);
            if (count > 0)
            {
                codes.Add(new StatusCount(i, isOk, count, all == 0 ? 0 : 100.0 * count / all));
            }
        }
    }

    private sealed class Side
    {
        public readonly LongConcurrentHistogram Histogram = new(1, HighestMicros, 3);
        public long Count;
        public long Bytes;
        public long MinMicros = long.MaxValue;
        public long MaxMicros;
        public long MinBytes = long.MaxValue;
        public long MaxBytes;

        public void Record(long micros, long bytes)
        {
            Histogram.RecordValue(micros);
            Interlocked.Increment(ref Count);
            Interlocked.Add(ref Bytes, bytes);
            Min(ref MinMicros, micros);
            Max(ref MaxMicros, micros);
            Min(ref MinBytes, bytes);
            Max(ref MaxBytes, bytes);
        }

        public SideSnapshot Snapshot(TimeSpan duration)
        {
            var histogram = Histogram.Copy();
            var count = Interlocked.Read(ref Count);
            if (count == 0)
            {
                return SideSnapshot.Empty;
            }

            var curve = new List<PercentilePoint>();
            foreach (var value in histogram.Percentiles(5))
            {
                curve.Add(new PercentilePoint(value.PercentileLevelIteratedTo, value.ValueIteratedTo / 1000.0));
                if (value.PercentileLevelIteratedTo >= 99.999)
                {
                    break;
                }
            }

            var bytes = Interlocked.Read(ref Bytes);
            return new SideSnapshot(
                count,
                duration.TotalSeconds > 0 ? count / duration.TotalSeconds : 0,
                Interlocked.Read(ref MinMicros) / 1000.0,
                histogram.GetMean() / 1000.0,
                Interlocked.Read(ref MaxMicros) / 1000.0,
                histogram.GetStdDeviation() / 1000.0,
                histogram.GetValueAtPercentile(50) / 1000.0,
                histogram.GetValueAtPercentile(75) / 1000.0,
                histogram.GetValueAtPercentile(95) / 1000.0,
                histogram.GetValueAtPercentile(99) / 1000.0,
                histogram.GetValueAtPercentile(99.9) / 1000.0,
                Interlocked.Read(ref MinBytes),
                (double)bytes / count,
                Interlocked.Read(ref MaxBytes),
                bytes,
                curve);
        }

        private static void Min(ref long field, long value)
        {
            var current = Volatile.Read(ref field);
            while (value < current)
            {
                var seen = Interlocked.CompareExchange(ref field, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }

        private static void Max(ref long field, long value)
        {
            var current = Volatile.Read(ref field);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref field, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }
}

/// <summary>A status code's share of all requests; 0 is "no response" (connection error, timeout).</summary>
internal sealed record StatusCount(int Code, bool IsOk, long Count, double Percent);

internal sealed record PercentilePoint(double Percentile, double LatencyMs);

/// <summary>One side (ok or fail) of a scenario's or step's statistics; latencies in ms.</summary>
internal sealed record SideSnapshot(
    long Count, double Rps,
    double MinMs, double MeanMs, double MaxMs, double StdDevMs,
    double P50, double P75, double P95, double P99, double P999,
    long MinBytes, double MeanBytes, long MaxBytes, long AllBytes,
    IReadOnlyList<PercentilePoint> Curve)
{
    public static readonly SideSnapshot Empty = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);
}

internal sealed record StatsSnapshot(string Name, long Requests, SideSnapshot Ok, SideSnapshot Fail, IReadOnlyList<StatusCount> StatusCodes, TimeSpan Duration)
{
    public double FailPercent => Requests == 0 ? 0 : 100.0 * Fail.Count / Requests;

    public double Rps => Duration.TotalSeconds > 0 ? Requests / Duration.TotalSeconds : 0;
}
