using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Gateway.Telemetry;

/// <summary>
/// Refusals by reason since the last <see cref="Drain"/>. The refused path pays one dictionary read and one
/// interlocked increment; reasons are a small fixed set, so the dictionary stops growing after warm-up.
/// </summary>
public sealed class RefusalTally
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);

    public void Add(string reason)
    {
        var box = _counts.GetOrAdd(reason, static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    /// <summary>The counts since the previous call (reasons with none left out), resetting them to zero.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Drain()
    {
        var result = new List<KeyValuePair<string, long>>();
        foreach (var (reason, box) in _counts)
        {
            var count = Interlocked.Exchange(ref box.Value, 0);
            if (count > 0)
            {
                result.Add(new(reason, count));
            }
        }

        result.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        return result;
    }
}
