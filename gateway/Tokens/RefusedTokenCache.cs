using System.Collections.Concurrent;

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

    private static readonly HashSet<string> Deterministic = new(StringComparer.Ordinal)
    {
        TokenReasons.Malformed, TokenReasons.UnknownIssuer, TokenReasons.InvalidAudience, TokenReasons.AlgorithmNotAllowed,
        TokenReasons.UnsupportedHeader, TokenReasons.InvalidSignature, TokenReasons.Expired, TokenReasons.InvalidType,
        TokenReasons.InvalidClaim, TokenReasons.MissingClaim,
    };

    private readonly int _generationSize;
    private readonly TimeProvider _time;
    private readonly Lock _rotate = new();
    private ConcurrentDictionary<UInt128, Entry> _young = new();
    private ConcurrentDictionary<UInt128, Entry> _old = new();

    public RefusedTokenCache(int capacity, TimeProvider time)
    {
        Capacity = capacity;
        _generationSize = Math.Max(1, capacity / 2);
        _time = time;
    }

    public int Capacity { get; }

    public int Count => _young.Count + _old.Count;

    public bool TryGet(UInt128 digest, out string? reason)
    {
        reason = null;
        if (Capacity <= 0 || !(_young.TryGetValue(digest, out var entry) || _old.TryGetValue(digest, out entry)))
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

    public void Add(UInt128 digest, string reason)
    {
        if (Capacity <= 0 || !Deterministic.Contains(reason))
        {
            return;
        }

        if (_young.Count >= _generationSize)
        {
            lock (_rotate)
            {
                if (_young.Count >= _generationSize)
                {
                    _old = _young;
                    _young = new ConcurrentDictionary<UInt128, Entry>();
                }
            }
        }

        _young[digest] = new Entry(reason, _time.GetTimestamp() + (long)(Lifetime.TotalSeconds * _time.TimestampFrequency));
    }

    private readonly record struct Entry(string Reason, long Until);
}
