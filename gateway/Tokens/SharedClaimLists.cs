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
    public string[] Share(string[] values)
    {
        if (values.Length == 0)
        {
            return [];
        }

        var current = _lists;
        if (Find(current, values) is { } shared)
        {
            return shared;
        }

        // Full: a list met now is kept as given, without taking the lock (lists are only ever added).
        if (current.Length >= MaxLists)
        {
            return values;
        }

        lock (_add)
        {
            var lists = _lists;
            if (Find(lists, values) is { } raced)
            {
                return raced;
            }

            if (lists.Length < MaxLists)
            {
                _lists = [.. lists, new SharedList(values, string.Join(' ', values))];
            }

            return values;
        }
    }

    /// <summary>
    /// <paramref name="list"/> joined with spaces: for a list this table shares, the one string made when it was shared;
    /// for any other, a new one.
    /// </summary>
    public string Joined(string[] list)
    {
        foreach (var shared in _lists)
        {
            if (ReferenceEquals(shared.Values, list))
            {
                return shared.Text;
            }
        }

        return string.Join(' ', list);
    }

    private static string[]? Find(SharedList[] lists, string[] values)
    {
        foreach (var list in lists)
        {
            if (list.Values.AsSpan().SequenceEqual(values))
            {
                return list.Values;
            }
        }

        return null;
    }

    private sealed record SharedList(string[] Values, string Text);
}
