using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

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

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _verifyDuration;
    private readonly Counter<long> _tokenCache;
    private readonly Counter<long> _sessionCache;
    private readonly Histogram<double> _redisDuration;
    private readonly Counter<long> _redisErrors;
    private readonly Counter<long> _revocationEvents;
    private readonly Histogram<double> _revocationLag;
    private readonly Counter<long> _adminCalls;
    private readonly Counter<long> _staleServed;
    private readonly Counter<long> _logouts;
    private readonly Counter<long> _inventory;
    private readonly ConcurrentDictionary<string, int> _healthChecks = new(StringComparer.Ordinal);

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("gateway.requests", "{request}", "Requests on protected and anonymous routes, by route, outcome and reason");
        _verifyDuration = meter.CreateHistogram<double>("gateway.token.verify.duration", "s", "Time to verify a token not found in the verified-token cache");
        _tokenCache = meter.CreateCounter<long>("gateway.token.cache.lookups", "{lookup}", "Verified-token cache lookups, by result (hit, miss)");
        _sessionCache = meter.CreateCounter<long>("gateway.session.cache.lookups", "{lookup}", "Session-state cache lookups, by result (hit, miss)");
        _redisDuration = meter.CreateHistogram<double>("gateway.redis.duration", "s", "Redis call duration, by operation");
        _redisErrors = meter.CreateCounter<long>("gateway.redis.errors", "{error}", "Failed Redis calls, by operation");
        _revocationEvents = meter.CreateCounter<long>("gateway.revocation.events", "{event}", "Revocation events received on the pub/sub channel, by kind");
        _revocationLag = meter.CreateHistogram<double>("gateway.revocation.lag", "s", "Time from a revocation's publication to its application on this instance");
        _adminCalls = meter.CreateCounter<long>("gateway.admin.calls", "{call}", "Admin API calls, by action and outcome");
        _staleServed = meter.CreateCounter<long>("gateway.session.stale_served", "{request}", "Requests judged on last-known session state while the store was unreachable (FailureMode=Open)");
        _logouts = meter.CreateCounter<long>("gateway.logout.tokens", "{token}", "Back-channel logout tokens received, by outcome (applied, refused) and reason");
        _inventory = meter.CreateCounter<long>("gateway.inventory.writes", "{write}", "Session inventory writes, by outcome (queued, written, dropped, failed)");
        meter.CreateObservableGauge("gateway.health.check.status", ObserveHealth, unit: null,
            description: "Last result of each health check (1 healthy, 0 not), by check; refreshed every Gateway:Health:ProbeInterval");
    }

    /// <summary>Refusals counted since the last summary, for the rate-limited Warning line.</summary>
    public RefusalTally Refusals { get; } = new();

    /// <summary>Refusals per minute by reason and route, the last few minutes (the console's refusals screen).</summary>
    public RefusalHistory History { get; } = new(TimeProvider.System);

    public void Request(string route, string outcome, string? reason)
    {
        _requests.Add(1, new TagList { { "route", route }, { "outcome", outcome }, { "reason", reason ?? "none" } });
        if (!string.Equals(outcome, AllowedOutcome, StringComparison.Ordinal))
        {
            Refusals.Add(reason ?? outcome);
            History.Add(route, reason ?? outcome);
        }
    }

    public void TokenCacheHit() => _tokenCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));

    public void TokenCacheMiss() => _tokenCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));

    public void TokenVerified(string? reason, TimeSpan elapsed) =>
        _verifyDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", reason is null ? "valid" : "invalid"));

    public void SessionCacheHit() => _sessionCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));

    public void SessionCacheMiss() => _sessionCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));

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

    /// <summary>Records a health check's latest result for the <c>gateway.health.check.status</c> gauge.</summary>
    public void HealthChecked(string check, bool healthy) => _healthChecks[check] = healthy ? 1 : 0;

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (var (check, value) in _healthChecks)
        {
            yield return new Measurement<int>(value, new KeyValuePair<string, object?>("check", check));
        }
    }
}
