namespace Gateway.Sessions.Rules;

/// <summary>
/// Where revocation rules are kept: Redis (shared) or the embedded store's memory. Implementations throw
/// <see cref="SessionStoreUnavailableException"/> when the store cannot be reached.
/// </summary>
internal interface IRuleStore
{
    /// <summary>Stores a rule and announces it to every instance.</summary>
    Task AddAsync(RevocationRule rule, CancellationToken cancellationToken);

    /// <summary>Every rule not over at <paramref name="now"/>; rules that are over are deleted on the way.</summary>
    Task<IReadOnlyList<RevocationRule>> LoadAsync(long now, CancellationToken cancellationToken);
}
