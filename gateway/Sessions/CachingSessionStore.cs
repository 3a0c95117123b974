using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// A shared store behind this instance's <see cref="SessionStateCache"/>: a warm user costs no round trip. Reads
/// wait for the store's epoch check after a reconnect; writes go to the store first and then drop the local copy
/// at once (other instances drop theirs on the published event). Wraps any <see cref="ISessionStore"/>.
/// </summary>
internal sealed class CachingSessionStore : ISessionStore
{
    private readonly ISessionStore _inner;
    private readonly SessionStateCache _cache;
    private readonly IStoreEpoch _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly TimeSpan _maxStaleness;

    public CachingSessionStore(ISessionStore inner, SessionStateCache cache, IStoreEpoch epoch, GatewayMetrics metrics, IOptions<SessionOptions> options)
    {
        _inner = inner;
        _cache = cache;
        _epoch = epoch;
        _metrics = metrics;
        _maxStaleness = options.Value.MaxStaleness;
    }

    public string Kind => _inner.Kind;

    public ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(user, sid, jti, client, out var state))
        {
            _metrics.SessionCacheHit();
            return new(state with { GlobalCutoff = _epoch.GlobalCutoff });
        }

        _metrics.SessionCacheMiss();
        return ReadThroughAsync(user, sid, jti, client, cancellationToken);
    }

    private async ValueTask<SessionState> ReadThroughAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        var ticket = _cache.BeginRead(user);

        // After a connection loss, the store may have restarted empty: check the epoch marker (once) before believing
        // a read, so a forgotten revocation never passes ahead of the data-loss cut-off.
        await _epoch.EnsureVerifiedAsync();
        var state = await _inner.ReadAsync(user, sid, jti, client, cancellationToken);
        _cache.Complete(user, sid, jti, client, state, ticket);
        return state with { GlobalCutoff = _epoch.GlobalCutoff };
    }

    public bool TryGetLastKnown(UserKey user, string? sid, string? jti, string? client, out SessionState state)
    {
        if (_cache.TryGetLastKnown(user, sid, jti, client, _maxStaleness, out state))
        {
            state = state with { GlobalCutoff = _epoch.GlobalCutoff };
            return true;
        }

        return false;
    }

    public ValueTask<long> IncrementUsesAsync(UserKey user, string route, string jti, long exp, CancellationToken cancellationToken) =>
        _inner.IncrementUsesAsync(user, route, jti, exp, cancellationToken);

    public async Task RevokeTokenAsync(UserKey user, string jti, long exp, string why, CancellationToken cancellationToken)
    {
        await _inner.RevokeTokenAsync(user, jti, exp, why, cancellationToken);
        _cache.Invalidate(user);
    }

    public async Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken)
    {
        await _inner.RevokeSessionAsync(user, sid, exp, cancellationToken);
        _cache.Invalidate(user);
    }

    public async Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var version = await _inner.RevokeUserAsync(user, cutoff, cancellationToken);
        _cache.Invalidate(user);
        return version;
    }

    public async Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken)
    {
        await _inner.RevokeClientTokensAsync(user, client, cutoff, until, cancellationToken);
        _cache.Invalidate(user);
    }

    public async Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await _inner.ActivateSessionAsync(user, sid, ttl, cancellationToken);
        _cache.Invalidate(user);
    }

    public Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken) => _inner.GetUserAsync(user, cancellationToken);

    public async Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var advanced = await _inner.RecordSessionSeenAsync(user, sighting, idleTimeout, cancellationToken);
        if (advanced)
        {
            // Nothing was revoked: re-read on the next check, but keep the entry as last-known state.
            _cache.Refresh(user);
        }

        return advanced;
    }

    public Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(UserKey user, CancellationToken cancellationToken) => _inner.ListSessionsAsync(user, cancellationToken);

    public async Task<SessionLead> ClaimLeadAsync(UserKey user, LeadKind kind, SessionLead candidate, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var lead = await _inner.ClaimLeadAsync(user, kind, candidate, ttl, cancellationToken);
        _cache.Refresh(user);
        return lead;
    }

    public Task<bool> TryMarkOnceAsync(UserKey user, string id, long exp, CancellationToken cancellationToken) =>
        _inner.TryMarkOnceAsync(user, id, exp, cancellationToken);
}
