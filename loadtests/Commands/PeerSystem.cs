using LoadTests.Scenarios;

namespace LoadTests.Commands;

/// <summary>
/// One proxy of the peers comparison: a label for the table, the target (URL, pid for CPU, counters), its own HTTP
/// client, whether it verifies tokens, and its own cursor into the never-seen token pool (so each proxy gets tokens
/// it has never verified, whatever the others were sent).
/// </summary>
internal sealed record PeerSystem(string Label, LoadTarget Target, HttpClient Client, bool Verifies)
{
    public TokenPool? NeverSeen { get; set; }
}
