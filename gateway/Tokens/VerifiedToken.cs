namespace Gateway.Tokens;

/// <summary>What the gateway knows of a token once its signature and claims are verified. Immutable: cached and shared.</summary>
public sealed record VerifiedToken(
    string Issuer,
    string Subject,
    string? SessionId,
    string? TokenId,
    long IssuedAt,
    long ExpiresAt,
    long? AuthTime,
    long? Version)
{
    /// <summary>Unix seconds of the last authentication: <c>auth_time</c>, else <c>iat</c>.</summary>
    public long AuthenticatedAt => AuthTime ?? IssuedAt;
}

/// <summary>The outcome of verifying one token: a token, or the reason it was refused.</summary>
public readonly record struct TokenResult(VerifiedToken? Token, string? Reason)
{
    public bool IsValid => Token is not null;

    public static TokenResult Ok(VerifiedToken token) => new(token, null);

    public static TokenResult Fail(string reason) => new(null, reason);
}
