using System.Collections;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// The standard gateway plus what the telemetry tests watch: an in-memory trace exporter, every log category captured
/// at Debug, a one-second refusal summary, and a route of its own (<see cref="RouteId"/>) so counters are exact even
/// if other gateways in the process record on the same meter.
/// </summary>
public sealed class ObservedGateway : StandardGateway
{
    public const string CollectionName = "observed-gateway";

    /// <summary>Unique per fixture: every MeterProvider in the process sees every <c>Gateway</c> meter.</summary>
    public string RouteId { get; } = "observed_" + Guid.NewGuid().ToString("N")[..8];

    public string RoutePrefix => "/" + RouteId;

    /// <summary>Every span the gateway ended, as the in-memory exporter received it.</summary>
    public LockedCollection<Activity> Spans { get; } = new();

    protected override void Configure(GatewayConfig config)
    {
        config.AddRoute(RouteId, RoutePrefix + "/{**rest}");
        config.Set("Gateway:Logging:RefusalSummaryInterval", JsonValue.Create("00:00:01"));
        config.Set("Gateway:Telemetry:Tracing", JsonValue.Create(true));
    }

    protected override GatewayHostOptions HostOptions() => new()
    {
        FrameworkLogLevel = LogLevel.Debug,
        Configure = builder => builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(Spans)),
    };

    public string DebugSpans() => string.Join("; ", Spans.Snapshot().Select(s => $"{s.OperationName} {s.TraceId}"));

    /// <summary>
    /// Sends a GET in a new trace and returns the trace id. The client's own HTTP handler writes the traceparent
    /// header from the current activity, so the trace is started here rather than by setting the header.
    /// </summary>
    public async Task<(HttpResponseMessage Response, ActivityTraceId TraceId)> GetInNewTraceAsync(string path, string? token)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        using var root = new Activity("test-client").SetIdFormat(ActivityIdFormat.W3C);
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        root.Start();
        try
        {
            return (await Gateway.GetAsync(path, token, new Dictionary<string, string> { ["traceparent"] = root.Id! }), root.TraceId);
        }
        finally
        {
            root.Stop();
            Activity.Current = previous;
        }
    }

    /// <summary>Waits until the spans of <paramref name="traceId"/> include one named <paramref name="name"/>.</summary>
    public Task<IReadOnlyList<Activity>> SpansOfAsync(ActivityTraceId traceId, string name) =>
        SpansOfAsync(traceId, s => s.OperationName == name);

    /// <summary>Waits (10 s at most) until the spans of <paramref name="traceId"/> include one that matches <paramref name="until"/>.</summary>
    public async Task<IReadOnlyList<Activity>> SpansOfAsync(ActivityTraceId traceId, Func<Activity, bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var spans = Spans.Snapshot().Where(s => s.TraceId == traceId).ToList();
            if (spans.Any(until) || timeout.IsCancellationRequested)
            {
                return spans;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}

/// <summary>A list that the exporter's thread can add to while a test reads it.</summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_gate)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_gate)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_gate)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// The telemetry test classes share one <see cref="ObservedGateway"/> and run one after another, after every parallel
/// collection: an OpenTelemetry MeterProvider also subscribes to the same-named meters of other hosts in the process
/// and drops a metric stream when one of those hosts is disposed, which would reset counters mid-test.
/// </summary>
[CollectionDefinition(ObservedGateway.CollectionName, DisableParallelization = true)]
public sealed class ObservedGatewayCollection : ICollectionFixture<ObservedGateway>;
