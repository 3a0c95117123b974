using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Gateway.Telemetry;

/// <summary>
/// Refusals per minute by (route, reason), a ring of the last <see cref="Minutes"/> minutes. The refused path pays a
/// dictionary lookup and an interlocked increment; routes and reasons are fixed sets, so a minute's map stays small.
/// </summary>
public sealed class RefusalHistory
{
    public const int Minutes = 15;

    private readonly TimeProvider _time;
    private readonly Slot[] _slots = new Slot[Minutes];

    public RefusalHistory(TimeProvider time)
    {
        _time = time;
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(-1);
        }
    }

    public void Add(string route, string reason)
    {
        var minute = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var index = (int)(minute % Minutes);
        var slot = Volatile.Read(ref _slots[index]);
        if (slot.Minute != minute)
        {
            var fresh = new Slot(minute);
            var seen = Interlocked.CompareExchange(ref _slots[index], fresh, slot);
            slot = ReferenceEquals(seen, slot) ? fresh : seen;
            if (slot.Minute != minute)
            {
                return;
            }
        }

        var box = slot.Counts.GetOrAdd((route, reason), static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
    }

    /// <summary>Every (minute start, route, reason, count) within the ring, newest minute first.</summary>
    public IReadOnlyList<RefusalCount> Recent()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var result = new List<RefusalCount>();
        foreach (var slot in _slots)
        {
            var current = Volatile.Read(ref slot.Counts) is var counts && slot.Minute > now - Minutes ? counts : null;
            if (current is null)
            {
                continue;
            }

            foreach (var ((route, reason), box) in current)
            {
                result.Add(new RefusalCount(DateTimeOffset.FromUnixTimeSeconds(slot.Minute * 60), route, reason, Interlocked.Read(ref box.Value)));
            }
        }

        result.Sort(static (a, b) => b.Minute != a.Minute ? b.Minute.CompareTo(a.Minute) : b.Count.CompareTo(a.Count));
        return result;
    }

    private sealed class Slot(long minute)
    {
        public readonly long Minute = minute;
        public ConcurrentDictionary<(string Route, string Reason), StrongBox<long>> Counts = new();
    }
}
