namespace Gateway.Caching;

/// <summary>
/// A set of 64-bit hashes, each with an expiry (Unix seconds), in two flat arrays: 12 bytes a slot, no object per
/// entry, at most 3/4 full (so 12 to 24 bytes an entry). Open addressing with linear probing. Reads take no lock and
/// allocate nothing; writes must be serialized by the caller. An entry is never removed in place: expired entries stay
/// (and are not found) until <see cref="Pruned"/> copies the live ones into a new set, so a probe chain a reader walks
/// never loses a link. Hash 0 is stored as 1 (it marks an empty slot): the two then share an entry, which can only
/// make a lookup say "present" for an id that is not, never the reverse.
/// </summary>
internal sealed class ExpiringHashSet
{
    private const int MinSlots = 1024;

    private readonly ulong[] _hashes;
    private readonly uint[] _untils;
    private readonly int _mask;
    private readonly int _shift;
    private int _count;

    public ExpiringHashSet(int expected = 0)
    {
        var slots = MinSlots;
        while (slots < int.MaxValue / 2 && (long)slots * 3 / 4 < expected)
        {
            slots *= 2;
        }

        _hashes = new ulong[slots];
        _untils = new uint[slots];
        _mask = slots - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)slots);
    }

    /// <summary>Entries held, expired ones included until <see cref="Pruned"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>False when one more new entry would fill it past 3/4: the writer moves to <see cref="Grown"/>.</summary>
    public bool HasRoom => (long)(_count + 1) * 4 <= (long)_hashes.Length * 3;

    /// <summary>The entry's expiry, if the set holds it (expired or not).</summary>
    public bool TryGet(ulong hash, out long until)
    {
        hash = Key(hash);
        var hashes = _hashes;
        for (var i = Slot(hash); ; i = (i + 1) & _mask)
        {
            var found = Volatile.Read(ref hashes[i]);
            if (found == hash)
            {
                until = _untils[i];
                return true;
            }

            if (found == 0)
            {
                until = 0;
                return false;
            }
        }
    }

    /// <summary>Adds an entry, or moves an existing one's expiry later (never earlier). Needs <see cref="HasRoom"/>; writers only.</summary>
    public void Add(ulong hash, long until)
    {
        hash = Key(hash);
        var value = (uint)Math.Clamp(until, 0, uint.MaxValue);
        for (var i = Slot(hash); ; i = (i + 1) & _mask)
        {
            var found = _hashes[i];
            if (found == hash)
            {
                if (value > _untils[i])
                {
                    _untils[i] = value;
                }

                return;
            }

            if (found == 0)
            {
                // The expiry first: a reader that sees the hash sees its expiry.
                _untils[i] = value;
                Volatile.Write(ref _hashes[i], hash);
                Volatile.Write(ref _count, _count + 1);
                return;
            }
        }
    }

    /// <summary>A copy with room for twice as many entries.</summary>
    public ExpiringHashSet Grown() => CopyLive(long.MinValue, Math.Max(Count, 1) * 2);

    /// <summary>A copy holding only the entries that expire after <paramref name="now"/>, sized for them.</summary>
    public ExpiringHashSet Pruned(long now) => CopyLive(now, 0);

    private ExpiringHashSet CopyLive(long now, int expected)
    {
        var live = 0;
        for (var i = 0; i < _hashes.Length; i++)
        {
            if (_hashes[i] != 0 && _untils[i] > now)
            {
                live++;
            }
        }

        var copy = new ExpiringHashSet(Math.Max(expected, live));
        for (var i = 0; i < _hashes.Length; i++)
        {
            if (_hashes[i] != 0 && _untils[i] > now)
            {
                copy.Add(_hashes[i], _untils[i]);
            }
        }

        return copy;
    }

    // Fibonacci hashing: the top bits of a multiply spread even crafted hashes over the table.
    private int Slot(ulong hash) => (int)((hash * 0x9E3779B97F4A7C15UL) >> _shift) & _mask;

    private static ulong Key(ulong hash) => hash == 0 ? 1 : hash;
}
