namespace Gateway.Sessions.Embedded;

/// <summary>
/// The embedded store's journal, section <c>Gateway:Embedded</c>: used when no <c>Gateway:Redis:Configuration</c> is set.
/// </summary>
public sealed class EmbeddedOptions
{
    public const string SectionName = "Gateway:Embedded";

    /// <summary>
    /// The journal file. A relative path is resolved against the content root (the working directory the gateway was
    /// started in; <c>/app</c> in the container image). Default <c>data/gateway-state.journal</c>. One gateway process
    /// per file: the file is locked while open.
    /// </summary>
    public string Path { get; set; } = "data/gateway-state.journal";

    /// <summary>
    /// <c>Flush</c> (default): every revocation is fsynced before the call answers (survives a power loss).
    /// <c>None</c>: handed to the operating system only (survives a process crash, not a power loss).
    /// </summary>
    public JournalDurability Durability { get; set; } = JournalDurability.Flush;

    /// <summary>
    /// Bytes the journal may reach before it is compacted (rewritten with only its live records, when less than half
    /// of it is live). Default 4 MiB; at least 64 KiB.
    /// </summary>
    public long CompactionThreshold { get; set; } = EmbeddedJournal.DefaultCompactionThreshold;
}
