namespace Gateway.Sessions;

/// <summary>
/// Data-loss detection of a shared store: the global cut-off after a detected loss, and a check that must pass
/// before a read after a reconnect is believed. The caching layer asks it through this contract only.
/// </summary>
internal interface IStoreEpoch
{
    /// <summary>Tokens issued before this Unix second are dead (0: none).</summary>
    long GlobalCutoff { get; }

    /// <summary>Completes once the store's data is known not to have been lost since the last check.</summary>
    /// <exception cref="SessionStoreUnavailableException">That could not be established.</exception>
    ValueTask EnsureVerifiedAsync();
}
