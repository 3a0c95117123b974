using Gateway.Telemetry;

namespace Gateway.Sessions;

/// <summary>Serves reads from a last-known state, for FailureMode=Open.</summary>
internal interface ILastKnownSessionState
{
    bool TryGetLastKnown(string sub, string? sid, string? jti, out SessionState state);
}

/// <summary>
/// Redis behind this instance's <see cref="SessionStateCache"/>: a warm user costs no round trip. Writes go to
/// Redis first and then drop the local copy at once (other instances drop theirs on the published event).
/// </summary>
internal sealed class CachingSessionStore : ISessionStore, ILastKnownSessionState
{
    private readonly RedisSessionStore _inner;
    private readonly SessionStateCache _cache;
    private readonly StoreEpoch _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly TimeSpan _maxStaleness;

    public CachingSessionStore(RedisSessionStore inner, SessionStateCache cache, StoreEpoch epoch, GatewayMetrics metrics, Microsoft.Extensions.Options.IOptions<RedisOptions> options)
    {
        _inner = inner;
        _cache = cache;
        _epoch = epoch;
        _metrics = metrics;
        _maxStaleness = options.Value.MaxStaleness;
    }

    public string Kind => _inner.Kind;

    public ValueTask<SessionState> ReadAsync(string sub, string? sid, string? jti, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(sub, sid, jti, out var state))
        {
            _metrics.SessionCacheHit();
            return new(state with { GlobalCutoff = _epoch.GlobalCutoff });
        }

        _metrics.SessionCacheMiss();
        return ReadThroughAsync(sub, sid, jti, cancellationToken);
    }

    private async ValueTask<SessionState> ReadThroughAsync(string sub, string? sid, string? jti, CancellationToken cancellationToken)
    {
        var ticket = _cache.BeginRead(sub);
        var state = await _inner.ReadAsync(sub, sid, jti, cancellationToken);
        _cache.Complete(sub, sid, jti, state, ticket);
        return state with { GlobalCutoff = _epoch.GlobalCutoff };
    }

    public bool TryGetLastKnown(string sub, string? sid, string? jti, out SessionState state)
    {
        if (_cache.TryGetLastKnown(sub, sid, jti, _maxStaleness, out state))
        {
            state = state with { GlobalCutoff = _epoch.GlobalCutoff };
            return true;
        }

        return false;
    }

    public ValueTask<long> IncrementUsesAsync(string sub, string jti, long exp, CancellationToken cancellationToken) =>
        _inner.IncrementUsesAsync(sub, jti, exp, cancellationToken);

    public async Task RevokeTokenAsync(string sub, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        await _inner.RevokeTokenAsync(sub, jti, exp, why, cancellationToken);
        _cache.Invalidate(sub);
    }

    public async Task RevokeSessionAsync(string sub, string sid, long exp, CancellationToken cancellationToken)
    {
        await _inner.RevokeSessionAsync(sub, sid, exp, cancellationToken);
        _cache.Invalidate(sub);
    }

    public async Task<long> RevokeUserAsync(string sub, long cutoff, CancellationToken cancellationToken)
    {
        var version = await _inner.RevokeUserAsync(sub, cutoff, cancellationToken);
        _cache.Invalidate(sub);
        return version;
    }

    public async Task ActivateSessionAsync(string sub, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await _inner.ActivateSessionAsync(sub, sid, ttl, cancellationToken);
        _cache.Invalidate(sub);
    }

    public Task<UserState> GetUserAsync(string sub, CancellationToken cancellationToken) => _inner.GetUserAsync(sub, cancellationToken);

    public Task<bool> TryMarkOnceAsync(string sub, string id, long exp, CancellationToken cancellationToken) =>
        _inner.TryMarkOnceAsync(sub, id, exp, cancellationToken);
}
