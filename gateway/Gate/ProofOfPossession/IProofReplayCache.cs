namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Remembers accepted proofs until they could no longer be accepted anyway. The single-instance implementation is
/// <see cref="InMemoryProofReplayCache"/>; a store shared by every instance makes the guard hold across them.
/// </summary>
internal interface IProofReplayCache
{
    /// <summary>
    /// Adds <paramref name="key"/> unless it is present and unexpired: true the first time, false for a replay.
    /// </summary>
    /// <param name="key">From <see cref="DpopReplayGuard.Key"/>: a digest, never a token or a raw <c>jti</c>.</param>
    /// <param name="expiresAt">Unix seconds after which the entry may be forgotten.</param>
    /// <param name="ct">Cancels a remote call.</param>
    ValueTask<bool> TryAddAsync(string key, long expiresAt, CancellationToken ct);
}
