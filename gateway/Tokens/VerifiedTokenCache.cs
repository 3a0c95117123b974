using System.Text;
using Gateway.Caching;

namespace Gateway.Tokens;

/// <summary>
/// Tokens whose signature and claims were verified, keyed by a SHA-256 digest of the exact token string (128 bits
/// kept) and dropped when the token expires. Bounded by two generations: when the young one fills, the old one is
/// discarded, so memory never exceeds <c>capacity</c> entries and hot tokens survive by promotion.
/// Only signature work is cached: denylists, use counts and replay checks key on jti/sid/sub, never on this digest.
/// </summary>
internal sealed class VerifiedTokenCache
{
    private readonly GenerationalMap<UInt128, VerifiedToken> _entries;
    private readonly TimeProvider _time;

    public VerifiedTokenCache(int capacity, TimeProvider time)
    {
        Capacity = capacity;
        _entries = new GenerationalMap<UInt128, VerifiedToken>(capacity);
        _time = time;
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    public static UInt128 Digest(ReadOnlySpan<char> token)
    {
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var buffer = max <= 4096 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = Encoding.UTF8.GetBytes(token, buffer);
            LibCryptoSha256.Hash(buffer[..written], hash);
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
        if (Capacity > 0 && _entries.TryGetValue(digest, out token, promote: true))
        {
            if (token.IsLiveAt(_time.GetUtcNow().ToUnixTimeSeconds(), skewSeconds))
            {
                return true;
            }

            _entries.Remove(digest);
        }

        token = null;
        return false;
    }

    public void Add(UInt128 digest, VerifiedToken token)
    {
        if (Capacity > 0)
        {
            _entries.Set(digest, token);
        }
    }
}
