using LoadTests.Http;
using LoadTests.Scenarios;

namespace LoadTests.Commands;

/// <summary>
/// One proxy of the peers comparison: a label for the table, the target (URL, pid for CPU, counters), its own HTTP
/// clients (HttpClient for the sanity checks, the lean client for the measured scenarios), whether it verifies tokens, and its own cursor into the never-seen token pool (so each proxy gets tokens
/// it has never verified, whatever the others were sent).
/// </summary>
internal sealed record PeerSystem(string Label, LoadTarget Target, HttpClient Client, ILoadClient Load, bool Verifies)
{
    public TokenPool? NeverSeen { get; set; }
}
