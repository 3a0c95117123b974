using System.Security.Cryptography;

namespace Gateway.Sessions;

/// <summary>
/// A 64-bit keyed hash of an id (sid, jti, client), so that cached facts take eight bytes whatever the id's length:
/// a user's cached entry is bounded in bytes, not only in count. The key is random per process, so nobody can aim
/// two ids at one hash; an accidental collision among one user's few facts has odds of about 2^-58.
/// </summary>
internal static class FactHash
{
    private static readonly ulong Seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    public static ulong Of(string id)
    {
        // FNV-1a over UTF-16 code units, seeded, with a final avalanche (splitmix64).
        var hash = 14695981039346656037UL ^ Seed;
        foreach (var c in id)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        return hash ^ (hash >> 31);
    }
}
