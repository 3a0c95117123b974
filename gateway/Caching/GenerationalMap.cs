using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Caching;

/// <summary>
/// A concurrent map bounded by two generations: writes go to the young one; when it holds half the capacity it
/// becomes the old one and the previous old one is dropped whole. Memory stays under the capacity without per-entry
/// bookkeeping, and entries still in use survive a rotation by being promoted back into the young generation.
/// Shared by the gateway's bounded caches (verified and refused tokens, session state, rate-spike windows).
/// </summary>
internal sealed class GenerationalMap<TKey, TValue>
    where TKey : notnull
{
    private readonly int _generationSize;
    private readonly IEqualityComparer<TKey>? _comparer;
    private readonly Lock _rotate = new();
    private ConcurrentDictionary<TKey, TValue> _young;
    private ConcurrentDictionary<TKey, TValue> _old;

    // Entries added to the young generation (approximate under races, never by much). ConcurrentDictionary.Count takes
    // every one of its locks (up to 1024 on a large map), far too slow to ask on every write.
    private int _youngCount;

    public GenerationalMap(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        _generationSize = Math.Max(1, capacity / 2);
        _comparer = comparer;
        _young = New();
        _old = New();
    }

    public int Count => _young.Count + _old.Count;

    /// <summary>Looks in both generations; with <paramref name="promote"/>, an old entry moves to the young one.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value, bool promote = false)
    {
        if (_young.TryGetValue(key, out value))
        {
            return true;
        }

        if (!promote)
        {
            return _old.TryGetValue(key, out value);
        }

        if (_old.TryRemove(key, out value))
        {
            Set(key, value);
            return true;
        }

        return false;
    }

    /// <summary>The young entry, else the old one promoted, else a new one from <paramref name="create"/>.</summary>
    public TValue GetOrAdd(TKey key, Func<TValue> create)
    {
        if (_young.TryGetValue(key, out var value))
        {
            return value;
        }

        var young = Young();
        return young.GetOrAdd(key, static (k, state) =>
        {
            Interlocked.Increment(ref state.Map._youngCount);
            return state.Old.TryRemove(k, out var old) ? old : state.Create();
        }, (Map: this, Old: _old, Create: create));
    }

    public void Set(TKey key, TValue value)
    {
        var young = Young();
        if (young.TryAdd(key, value))
        {
            Interlocked.Increment(ref _youngCount);
        }
        else
        {
            young[key] = value;
        }
    }

    /// <summary>
    /// Replaces the entry of <paramref name="key"/>, in whichever generation holds it, only if it is still
    /// <paramref name="comparison"/> (compare-and-swap); false when it changed, moved or went meanwhile.
    /// </summary>
    public bool TryUpdate(TKey key, TValue value, TValue comparison) =>
        _young.TryUpdate(key, value, comparison) || _old.TryUpdate(key, value, comparison);

    public void Remove(TKey key)
    {
        if (_young.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _youngCount);
        }

        _old.TryRemove(key, out _);
    }

    public void Clear()
    {
        _young.Clear();
        _old.Clear();
        Volatile.Write(ref _youngCount, 0);
    }

    private ConcurrentDictionary<TKey, TValue> Young()
    {
        if (Volatile.Read(ref _youngCount) >= _generationSize)
        {
            lock (_rotate)
            {
                if (Volatile.Read(ref _youngCount) >= _generationSize)
                {
                    _old = _young;
                    _young = New();
                    Volatile.Write(ref _youngCount, 0);
                }
            }
        }

        return _young;
    }

    private ConcurrentDictionary<TKey, TValue> New() => _comparer is null ? new() : new(_comparer);
}
