using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Gateway.Telemetry;

/// <summary>
/// Every gateway instrument, on one <see cref="Meter"/> named <c>Gateway</c>. Names are dotted lower case and
/// tags few and fixed, so dashboards and alert rules can rely on them.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    /// <summary>The <c>outcome</c> tag of a forwarded request; every other outcome is a refusal.</summary>
    public const string AllowedOutcome = "allowed";

    private readonly ConcurrentDictionary<(string Route, string Outcome, string Reason), StrongBox<long>> _requestCounts = new();
    private long _tokenCacheHits;
    private long _tokenCacheMisses;
    private long _sessionCacheHits;
    private long _sessionCacheMisses;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _verifyDuration;
    private readonly Histogram<double> _redisDuration;
    private readonly Counter<long> _redisErrors;
    private readonly Counter<long> _revocationEvents;
    private readonly Histogram<double> _revocationLag;
    private readonly Counter<long> _adminCalls;
    private readonly Counter<long> _staleServed;
    private readonly Counter<long> _logouts;
    private readonly Counter<long> _signals;
    private readonly UpDownCounter<long> _connectionsOpen;
    private readonly Counter<long> _connectionsClosed;
    private readonly Counter<long> _inventory;
    private readonly ConcurrentDictionary<string, int> _healthChecks = new(StringComparer.Ordinal);
    private volatile Sessions.DenylistReplica? _replica;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        // The per-request instruments are pre-aggregated: the hot path pays one interlocked increment, and the SDK reads
        // the totals when it collects (observable counters), not a tag-list aggregation per request.
        meter.CreateObservableCounter("gateway.requests", ObserveRequests, "{request}", "Requests on protected and anonymous routes, by route, outcome and reason");
        _requestDuration = meter.CreateHistogram<double>("gateway.request.duration", "s",
            "Time from route match to the end of the response, by route (forwarded and refused; not WebSockets, event streams or guarded routes)");
        _verifyDuration = meter.CreateHistogram<double>("gateway.token.verify.duration", "s", "Time to verify a token not found in the verified-token cache");
        meter.CreateObservableCounter("gateway.token.cache.lookups", () => Lookups(ref _tokenCacheHits, ref _tokenCacheMisses), "{lookup}", "Verified-token cache lookups, by result (hit, miss)");
        meter.CreateObservableCounter("gateway.session.cache.lookups", () => Lookups(ref _sessionCacheHits, ref _sessionCacheMisses), "{lookup}", "Session-state cache lookups, by result (hit, miss)");
        _redisDuration = meter.CreateHistogram<double>("gateway.redis.duration", "s", "Redis call duration, by operation");
        _redisErrors = meter.CreateCounter<long>("gateway.redis.errors", "{error}", "Failed Redis calls, by operation");
        _revocationEvents = meter.CreateCounter<long>("gateway.revocation.events", "{event}", "Revocation events received on the pub/sub channel, by kind");
        _revocationLag = meter.CreateHistogram<double>("gateway.revocation.lag", "s", "Time from a revocation's publication to its application on this instance");
        _adminCalls = meter.CreateCounter<long>("gateway.admin.calls", "{call}", "Admin API calls, by action and outcome");
        _staleServed = meter.CreateCounter<long>("gateway.session.stale_served", "{request}", "Requests judged on last-known session state while the store was unreachable (FailureMode=Open)");
        _logouts = meter.CreateCounter<long>("gateway.logout.tokens", "{token}", "Back-channel logout tokens received, by outcome (applied, refused) and reason");
        _signals = meter.CreateCounter<long>("gateway.signals.events", "{event}", "Shared Signals (CAEP/RISC) events received, by type and outcome (applied, unknown_type, unmapped_subject, duplicate, refused, unavailable)");
        _connectionsOpen = meter.CreateUpDownCounter<long>("gateway.connections.open", "{connection}", "Guarded open connections (WebSockets, event streams, requests on guarded routes)");
        _connectionsClosed = meter.CreateCounter<long>("gateway.connections.closed", "{connection}", "Guarded connections the gateway closed (revocation, expiry), by reason");
        _inventory = meter.CreateCounter<long>("gateway.inventory.writes", "{write}", "Session inventory writes, by outcome (queued, written, dropped, failed)");
        meter.CreateObservableGauge("gateway.health.check.status", ObserveHealth, unit: null,
            description: "Last result of each health check (1 healthy, 0 not), by check; refreshed every Gateway:Health:ProbeInterval");
        meter.CreateObservableGauge("gateway.denylist.replica.entries", ObserveReplica, "{entry}",
            "Denylisted sid/jti hashes this instance's replica holds (Redis only), by complete (true: it vouches for absence)");
    }

    /// <summary>Refusals counted since the last summary, for the rate-limited Warning line.</summary>
    public RefusalTally Refusals { get; } = new();

    /// <summary>Refusals per minute by reason and route, the last few minutes (the console's refusals screen).</summary>
    public RefusalHistory History { get; } = new(TimeProvider.System);

    public void Request(string route, string outcome, string? reason)
    {
        Interlocked.Increment(ref RequestCounter(route, outcome, reason).Value);
        if (!string.Equals(outcome, AllowedOutcome, StringComparison.Ordinal))
        {
            Refusals.Add(reason ?? outcome);
            History.Add(route, reason ?? outcome);
        }
    }

    /// <summary>
    /// The counter of one (route, outcome, reason): a route's policy keeps its "allowed" box, so a forwarded request
    /// costs one increment and no lookup.
    /// </summary>
    public StrongBox<long> RequestCounter(string route, string outcome, string? reason) =>
        _requestCounts.GetOrAdd((route, outcome, reason ?? "none"), static _ => new StrongBox<long>());

    /// <summary>
    /// One request's duration under its route's prebuilt tag: the gateway's own histogram replaces ASP.NET Core's and
    /// HttpClient's per-request instruments (opt-in, <c>Gateway:Telemetry:HttpMetrics</c>), which cost several tags each.
    /// </summary>
    public void RequestEnded(KeyValuePair<string, object?> routeTag, long startTimestamp) =>
        _requestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, routeTag);

    public void TokenCacheHit() => Interlocked.Increment(ref _tokenCacheHits);

    public void TokenCacheMiss() => Interlocked.Increment(ref _tokenCacheMisses);

    public void TokenVerified(string? reason, TimeSpan elapsed) =>
        _verifyDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", reason is null ? "valid" : "invalid"));

    public void SessionCacheHit() => Interlocked.Increment(ref _sessionCacheHits);

    public void SessionCacheMiss() => Interlocked.Increment(ref _sessionCacheMisses);

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        foreach (var ((route, outcome, reason), box) in _requestCounts)
        {
            yield return new Measurement<long>(Volatile.Read(ref box.Value),
                new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    private static Measurement<long>[] Lookups(ref long hits, ref long misses) =>
    [
        new(Volatile.Read(ref hits), new KeyValuePair<string, object?>("result", "hit")),
        new(Volatile.Read(ref misses), new KeyValuePair<string, object?>("result", "miss")),
    ];

    public void RedisCall(string operation, TimeSpan elapsed, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("operation", operation);
        _redisDuration.Record(elapsed.TotalSeconds, tag);
        if (failed)
        {
            _redisErrors.Add(1, tag);
        }
    }

    public void RevocationReceived(string kind, TimeSpan? lag)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        _revocationEvents.Add(1, tag);
        if (lag is { } value)
        {
            _revocationLag.Record(Math.Max(0, value.TotalSeconds), tag);
        }
    }

    public void AdminCall(string action, string outcome) =>
        _adminCalls.Add(1, new KeyValuePair<string, object?>("action", action), new KeyValuePair<string, object?>("outcome", outcome));

    public void InventoryWrite(string outcome) => _inventory.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void StaleServed() => _staleServed.Add(1);

    /// <summary>A back-channel logout token was applied (<paramref name="reason"/> null) or refused.</summary>
    public void Logout(string? reason) =>
        _logouts.Add(1, new KeyValuePair<string, object?>("outcome", reason is null ? "applied" : "refused"), new KeyValuePair<string, object?>("reason", reason ?? "none"));

    /// <summary>A Shared Signals event (its short type name, or <c>none</c> for a SET refused before its events were read) and what became of it.</summary>
    public void SignalEvent(string type, string outcome) =>
        _signals.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));
    /// <summary>A guarded connection was registered.</summary>
    public void ConnectionOpened() => _connectionsOpen.Add(1);

    /// <summary>A guarded connection's request ended (however).</summary>
    public void ConnectionEnded() => _connectionsOpen.Add(-1);

    /// <summary>The gateway closed a guarded connection, for <paramref name="reason"/> (a refusal reason code).</summary>
    public void ConnectionClosed(string reason) => _connectionsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Records a health check's latest result for the <c>gateway.health.check.status</c> gauge.</summary>
    public void HealthChecked(string check, bool healthy) => _healthChecks[check] = healthy ? 1 : 0;

    /// <summary>Reports this replica's size (Redis only: the embedded store has none).</summary>
    public void ObserveDenylistReplica(Sessions.DenylistReplica replica) => _replica = replica;

    private IEnumerable<Measurement<long>> ObserveReplica()
    {
        if (_replica is { } replica)
        {
            yield return new Measurement<long>(replica.Count, new KeyValuePair<string, object?>("complete", replica.IsComplete ? "true" : "false"));
        }
    }

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var (check, value) in _healthChecks)
        {
            yield return new Measurement<int>(value, new KeyValuePair<string, object?>("check", check));
        }
    }
}
