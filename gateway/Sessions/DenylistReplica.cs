using Gateway.Caching;

namespace Gateway.Sessions;

/// <summary>
/// This instance's replica of every denylisted <c>sid</c> and <c>jti</c> in the shared store, as 64-bit
/// <see cref="DenylistHash"/>es with their expiry: loaded whole at start and after every resync, kept by the
/// revocation channel, reconciled periodically. While it is complete, an id absent from it is known not to be
/// denylisted, so a new token of a warm user needs no store round trip; a present one is confirmed in the store.
/// Bounded: past <see cref="Capacity"/> entries it declares itself incomplete and every check asks the store.
/// Held in an <see cref="ExpiringHashSet"/> (12 bytes a slot, about 16 to 24 MB a million entries, no object per entry):
/// lookups take no lock, writers take <c>_write</c>, and a set that fills up or is pruned is replaced whole.
/// </summary>
public sealed class DenylistReplica
{
    private readonly TimeProvider _time;
    private readonly Lock _write = new();
    private volatile ExpiringHashSet _entries = new();
    private volatile bool _complete;
    private long _generation;

    public DenylistReplica(TimeProvider time, int capacity)
    {
        _time = time;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Every denylist entry of the store is here (loaded, and events not lost since).</summary>
    public bool IsComplete => _complete && Capacity > 0;

    public int Count => _entries.Count;

    /// <summary>True when the id may be denylisted (confirm in the store); false when it certainly is not. Only meaningful while complete.</summary>
    public bool MayContain(ulong hash) => _entries.TryGet(hash, out var until) && until > _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>An entry learned from an event or this instance's own write.</summary>
    public void Add(ulong hash, long until)
    {
        if (Capacity <= 0)
        {
            return;
        }

        lock (_write)
        {
            AddLocked(hash, until);
        }
    }

    /// <summary>Events may have been lost (subscription down): absence proves nothing until the next full load.</summary>
    public void MarkIncomplete()
    {
        Interlocked.Increment(ref _generation);
        _complete = false;
    }

    /// <summary>Starts a full load; entries added meanwhile (by events) are kept. Pass the result to <see cref="CompleteLoad"/>.</summary>
    public long BeginLoad()
    {
        var generation = Interlocked.Increment(ref _generation);
        _complete = false;
        return generation;
    }

    /// <summary>
    /// Merges a full load into the replica (entries are never withdrawn, only expire, so merging loses nothing) and,
    /// unless events were lost or another load began since <see cref="BeginLoad"/>, declares it complete.
    /// </summary>
    public bool CompleteLoad(long generation, IEnumerable<KeyValuePair<ulong, long>> loaded)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_write)
        {
            foreach (var (hash, until) in loaded)
            {
                if (until > now)
                {
                    AddLocked(hash, until);
                }
            }
        }

        Prune(now);
        if (Interlocked.Read(ref _generation) != generation || _entries.Count > Capacity)
        {
            return false;
        }

        _complete = true;
        return true;
    }

    /// <summary>Drops expired entries (a new set of the live ones replaces the current one).</summary>
    public void Prune(long now)
    {
        lock (_write)
        {
            _entries = _entries.Pruned(now);
        }
    }

    private void AddLocked(ulong hash, long until)
    {
        if (!_entries.HasRoom)
        {
            _entries = _entries.Grown();
        }

        _entries.Add(hash, until);
        if (_entries.Count > Capacity)
        {
            // Too many to hold: stop vouching for absence rather than drop an entry.
            _complete = false;
        }
    }
}
