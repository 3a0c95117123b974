namespace Gateway.Gate.ProofOfPossession;

/// <summary>Where accepted DPoP proofs are remembered, <c>Gateway:Dpop:ReplayScope</c>.</summary>
public enum DpopReplayScope
{
    /// <summary>
    /// The default: every instance shares one memory (Redis <c>SET NX</c>, one round trip per new proof) when Redis is
    /// configured; a proof is accepted once across the fleet. With the embedded store, as <see cref="Instance"/>.
    /// </summary>
    Shared,

    /// <summary>
    /// Each instance remembers its own proofs, with no Redis call: a captured proof can still be replayed once on each
    /// other instance within <c>IatWindow</c>.
    /// </summary>
    Instance,
}
