namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// A bounded replay cache for one instance. Entries leave when they expire (proofs outlive the <c>iat</c> window by
/// nothing, so the set stays small). At capacity, the oldest entry makes room: a flood of more than
/// <c>ReplayCacheSize</c> valid proofs per window could reopen the oldest ones, which is why the size should exceed
/// the proofs one window can bring; refusing every new proof instead would let the same flood lock everyone out.
/// </summary>
internal sealed class InMemoryProofReplayCache : IProofReplayCache
{
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _entries = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long ExpiresAt)> _order = new();

    public InMemoryProofReplayCache(int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public ValueTask<bool> TryAddAsync(string key, long expiresAt, CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            // Proof expiries arrive in nearly rising order, so the queue's head is (about) the first to expire.
            while (_order.TryPeek(out var head) && head.ExpiresAt < now)
            {
                _order.Dequeue();
                Forget(head);
            }

            if (_entries.TryGetValue(key, out var existing) && existing >= now)
            {
                return new(false);
            }

            while (_entries.Count >= _capacity && _order.TryDequeue(out var oldest))
            {
                Forget(oldest);
            }

            _entries[key] = expiresAt;
            _order.Enqueue((key, expiresAt));
            return new(true);
        }
    }

    // A queue entry may be stale (the key was re-added with a later expiry): only the matching entry goes.
    private void Forget((string Key, long ExpiresAt) entry)
    {
        if (_entries.TryGetValue(entry.Key, out var expiresAt) && expiresAt == entry.ExpiresAt)
        {
            _entries.Remove(entry.Key);
        }
    }
}
