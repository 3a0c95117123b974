namespace Gateway.Tokens;

/// <summary>
/// The claim lists (<c>aud</c>, scopes) of one issuer's tokens, shared: most tokens of an issuer carry one of a few
/// equal lists, and every verified token is cached, so each keeps a reference to one shared array (and its strings)
/// instead of its own. Bounded by <see cref="MaxLists"/>; a list beyond it is kept as given. Only a token's first
/// verification looks here (a short scan), never a cache hit. The arrays are never written after sharing.
/// </summary>
internal sealed class SharedClaimLists
{
    public const int MaxLists = 64;

    private readonly Lock _add = new();
    private volatile SharedList[] _lists = [];

    /// <summary>The shared list equal to <paramref name="values"/> (same strings, same order), else <paramref name="values"/> itself.</summary>
    public string[] Share(string[] values) => values.Length == 0 ? [] : Entry(values)?.Values ?? values;

    /// <summary>
    /// As <see cref="Share(string[])"/>, with the list joined with spaces in <paramref name="joined"/>: for a shared list
    /// the one string made when it was shared, for a list past the bound a new one.
    /// </summary>
    public string[] Share(string[] values, out string joined)
    {
        if (values.Length == 0)
        {
            joined = "";
            return [];
        }

        var entry = Entry(values);
        joined = entry?.Text ?? string.Join(' ', values);
        return entry?.Values ?? values;
    }

    // The entry equal to values, added when there is room; null once the table is full and holds no equal list.
    private SharedList? Entry(string[] values)
    {
        var current = _lists;
        if (Find(current, values) is { } shared)
        {
            return shared;
        }

        // Full: a list met now is kept as given, without taking the lock (lists are only ever added).
        if (current.Length >= MaxLists)
        {
            return null;
        }

        lock (_add)
        {
            var lists = _lists;
            if (Find(lists, values) is { } raced)
            {
                return raced;
            }

            if (lists.Length >= MaxLists)
            {
                return null;
            }

            var added = new SharedList(values, string.Join(' ', values));
            _lists = [.. lists, added];
            return added;
        }
    }

    private static SharedList? Find(SharedList[] lists, string[] values)
    {
        foreach (var list in lists)
        {
            if (list.Values.AsSpan().SequenceEqual(values))
            {
                return list;
            }
        }

        return null;
    }

    private sealed record SharedList(string[] Values, string Text);
}
