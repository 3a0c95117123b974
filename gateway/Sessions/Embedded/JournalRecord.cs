namespace Gateway.Sessions.Embedded;

/// <summary>
/// One fact in the <see cref="EmbeddedJournal"/>: opaque to the journal except for its identity (<see cref="Kind"/> and
/// <see cref="Key"/>) and its lifetime. A later record with the same Kind and Key replaces an earlier one; a record
/// whose <see cref="Value"/> is null deletes it (a tombstone).
/// </summary>
/// <param name="Kind">What sort of fact this is, e.g. <c>token</c>; the store's vocabulary.</param>
/// <param name="Key">Which one, unique within its Kind, e.g. issuer, subject and jti joined unambiguously by the store.</param>
/// <param name="Value">The fact's payload (may be empty); null deletes the Kind+Key.</param>
/// <param name="ExpiresAt">Unix seconds: the record is forgotten once this second is reached (live while ExpiresAt &gt; now); <see cref="Never"/> for facts that never expire.</param>
internal readonly record struct JournalRecord(string Kind, string Key, string? Value, long ExpiresAt)
{
    /// <summary>An <see cref="ExpiresAt"/> that never comes.</summary>
    public const long Never = long.MaxValue;

    /// <summary>A tombstone: deletes <paramref name="kind"/>+<paramref name="key"/>.</summary>
    public static JournalRecord Delete(string kind, string key) => new(kind, key, null, Never);

    public bool IsTombstone => Value is null;

    public bool IsLiveAt(long now) => ExpiresAt > now;
}
