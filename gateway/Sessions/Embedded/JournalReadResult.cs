namespace Gateway.Sessions.Embedded;

/// <summary>The outcome of reading the record at the start of a span of journal bytes.</summary>
internal enum JournalReadResult
{
    /// <summary>A whole record with a matching checksum.</summary>
    Ok,

    /// <summary>The span ends before the record does.</summary>
    Truncated,

    /// <summary>The record is all there but is not valid (bad length, checksum or encoding).</summary>
    Invalid,
}
