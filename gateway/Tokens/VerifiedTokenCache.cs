using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Tokens;

/// <summary>
/// Tokens whose signature and claims were verified, keyed by a SHA-256 digest of the exact token string (128 bits
/// kept) and dropped when the token expires. Bounded by two generations: when the young one fills, the old one is
/// discarded, so memory never exceeds <c>capacity</c> entries and hot tokens survive by promotion.
/// Only signature work is cached: denylists, use counts and replay checks key on jti/sid/sub, never on this digest.
/// </summary>
internal sealed class VerifiedTokenCache
{
    private readonly int _generationSize;
    private readonly TimeProvider _time;
    private ConcurrentDictionary<UInt128, VerifiedToken> _young = new();
    private ConcurrentDictionary<UInt128, VerifiedToken> _old = new();
    private readonly Lock _rotate = new();

    public VerifiedTokenCache(int capacity, TimeProvider time)
    {
        Capacity = capacity;
        _generationSize = Math.Max(1, capacity / 2);
        _time = time;
    }

    public int Capacity { get; }

    public int Count => _young.Count + _old.Count;

    public static UInt128 Digest(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var buffer = max <= 4096 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = Encoding.UTF8.GetBytes(token, buffer);
            SHA256.HashData(buffer[..written], hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    public bool TryGet(UInt128 digest, long skewSeconds, out VerifiedToken? token)
    {
        if (Capacity > 0 && (_young.TryGetValue(digest, out token) || TryPromote(digest, out token)))
        {
            if (_time.GetUtcNow().ToUnixTimeSeconds() < token!.ExpiresAt + skewSeconds)
            {
                return true;
            }

            _young.TryRemove(digest, out _);
        }

        token = null;
        return false;
    }

    public void Add(UInt128 digest, VerifiedToken token)
    {
        if (Capacity <= 0)
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
                    _young = new ConcurrentDictionary<UInt128, VerifiedToken>();
                }
            }
        }

        _young[digest] = token;
    }

    private bool TryPromote(UInt128 digest, out VerifiedToken? token)
    {
        if (_old.TryRemove(digest, out token))
        {
            Add(digest, token);
            return true;
        }

        return false;
    }
}
