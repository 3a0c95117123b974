using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// A shared store behind this instance's <see cref="SessionStateCache"/>: a warm user costs no round trip. Reads
/// wait for the store's epoch check after a reconnect; writes go to the store first, then drop the local copy
/// at once and tell this instance's <see cref="RevocationNotifier"/> (other instances learn it from the published event). Wraps any <see cref="ISessionStore"/>.
/// </summary>
internal sealed class CachingSessionStore : ISessionStore
{
    private readonly ISessionStore _inner;
    private readonly SessionStateCache _cache;
    private readonly DenylistReplica _replica;
    private readonly DenylistLifetime _lifetime;
    private readonly IStoreEpoch _epoch;
    private readonly GatewayMetrics _metrics;
    private readonly RevocationNotifier _notifier;
    private readonly TimeSpan _maxStaleness;

    public CachingSessionStore(ISessionStore inner, SessionStateCache cache, DenylistReplica replica, DenylistLifetime lifetime, IStoreEpoch epoch,
        GatewayMetrics metrics, RevocationNotifier notifier, IOptions<SessionOptions> options)
    {
        _inner = inner;
        _cache = cache;
        _replica = replica;
        _lifetime = lifetime;
        _epoch = epoch;
        _metrics = metrics;
        _notifier = notifier;
        _maxStaleness = options.Value.MaxStaleness;
    }

    public string Kind => _inner.Kind;

    public ValueTask<SessionState> ReadAsync(UserKey user, string? sid, string? jti, string? client, CancellationToken cancellationToken)
    {
        // A new sid or jti of a warm user is answered by the replica of every denylist entry when it certainly does not
        // hold it, without a round trip; an id the replica may hold is confirmed in the store below.
        if (_cache.TryGet(user, sid, jti, client, out var state, _replica))
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

        // Before the event comes back: this instance must not vouch for the jti's absence meanwhile.
        _replica.Add(DenylistHash.Token(user, jti), _lifetime.Until(exp));
        _cache.Invalidate(user);
        _notifier.UserChanged(user, RevocationEvent.TokenKind);
    }

    public async Task RevokeSessionAsync(UserKey user, string sid, long exp, CancellationToken cancellationToken)
    {
        await _inner.RevokeSessionAsync(user, sid, exp, cancellationToken);
        _replica.Add(DenylistHash.Session(user, sid), _lifetime.Until(exp));
        _cache.Invalidate(user);
        _notifier.UserChanged(user, RevocationEvent.SessionKind);
    }

    public async Task<long> RevokeUserAsync(UserKey user, long cutoff, CancellationToken cancellationToken)
    {
        var version = await _inner.RevokeUserAsync(user, cutoff, cancellationToken);
        _cache.Invalidate(user);
        _notifier.UserChanged(user, RevocationEvent.UserKind);
        return version;
    }

    public async Task RevokeClientTokensAsync(UserKey user, string client, long cutoff, long until, CancellationToken cancellationToken)
    {
        await _inner.RevokeClientTokensAsync(user, client, cutoff, until, cancellationToken);
        _cache.Invalidate(user);
        _notifier.UserChanged(user, RevocationEvent.ClientKind);
    }

    public async Task ActivateSessionAsync(UserKey user, string sid, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await _inner.ActivateSessionAsync(user, sid, ttl, cancellationToken);
        _cache.Invalidate(user);
        _notifier.UserChanged(user, RevocationEvent.ActiveKind);
    }

    public Task<UserState> GetUserAsync(UserKey user, CancellationToken cancellationToken) => _inner.GetUserAsync(user, cancellationToken);

    public async Task<bool> RecordSessionSeenAsync(UserKey user, SessionSighting sighting, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var advanced = await _inner.RecordSessionSeenAsync(user, sighting, idleTimeout, cancellationToken);
        if (advanced)
        {
            // Nothing was revoked, and what moved is known: the session's iats, merged into the cached entry in place.
            _cache.SessionSeen(user, sighting.Sid, sighting.IssuedAt);
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
