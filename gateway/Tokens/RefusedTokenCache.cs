using Gateway.Gate.Refusals;
using Gateway.Caching;

namespace Gateway.Tokens;

/// <summary>
/// Recently refused tokens (by the same digest as <see cref="VerifiedTokenCache"/>), so a flood of one bad token
/// costs one signature check, not one per request. Only refusals that the token's own bytes decide are kept, and
/// for a short time: a key rotation that reuses a kid is picked up within <see cref="Lifetime"/>. Bounded by two
/// generations like the verified-token cache.
/// </summary>
internal sealed class RefusedTokenCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly GenerationalMap<UInt128, Entry> _entries;
    private readonly TimeProvider _time;

    public RefusedTokenCache(int capacity, TimeProvider time)
    {
        Capacity = capacity;
        _entries = new GenerationalMap<UInt128, Entry>(capacity);
        _time = time;
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    public bool TryGet(UInt128 digest, out RefusalReason? reason)
    {
        reason = null;
        if (Capacity <= 0 || !_entries.TryGetValue(digest, out var entry))
        {
            return false;
        }

        if (_time.GetTimestamp() >= entry.Until)
        {
            return false;
        }

        reason = entry.Reason;
        return true;
    }

    public void Add(UInt128 digest, RefusalReason reason)
    {
        if (Capacity <= 0 || !reason.TokenDecides)
        {
            return;
        }

        _entries.Set(digest, new Entry(reason, _time.GetTimestamp() + (long)(Lifetime.TotalSeconds * _time.TimestampFrequency)));
    }

    private readonly record struct Entry(RefusalReason Reason, long Until);
}
