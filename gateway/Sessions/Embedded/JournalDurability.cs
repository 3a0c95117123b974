namespace Gateway.Sessions.Embedded;

/// <summary>When an <see cref="EmbeddedJournal.Append"/> returns, where is the record? Key <c>Gateway:Embedded:Durability</c>.</summary>
public enum JournalDurability
{
    /// <summary>On disk: every append is flushed with fsync before it returns. Survives a process crash and a power loss.</summary>
    Flush,

    /// <summary>Handed to the operating system (no fsync). Survives a process crash (kill -9), not an OS crash or power loss.</summary>
    None,
}
