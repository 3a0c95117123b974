namespace Gateway.Sessions.Embedded;

/// <summary>
/// The journal file cannot be trusted (a damaged record followed by more records, or not a journal at all). The
/// gateway refuses to start rather than silently forget revocations.
/// </summary>
public sealed class JournalCorruptException : Exception
{
    public JournalCorruptException()
    {
    }

    public JournalCorruptException(string message)
        : base(message)
    {
    }

    public JournalCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
