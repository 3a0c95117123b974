namespace Gateway.Admin;

/// <summary>The last admin actions of this instance, newest first, bounded (for the console).</summary>
internal sealed class AuditTrail
{
    public const int Capacity = 200;

    private readonly LinkedList<AuditEntry> _entries = new();

    public void Add(AuditEntry entry)
    {
        lock (_entries)
        {
            _entries.AddFirst(entry);
            if (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }
        }
    }

    public IReadOnlyList<AuditEntry> Recent(int count)
    {
        lock (_entries)
        {
            return _entries.Take(count).ToList();
        }
    }
}
