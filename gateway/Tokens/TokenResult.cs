using Gateway.Gate.Refusals;

namespace Gateway.Tokens;

/// <summary>The outcome of verifying one token: a token, or the reason it was refused.</summary>
public readonly record struct TokenResult(VerifiedToken? Token, RefusalReason? Refusal)
{
    public bool IsValid => Token is not null;

    /// <summary>The refusal's reason code, or null.</summary>
    public string? Reason => Refusal?.Code;

    public static TokenResult Ok(VerifiedToken token) => new(token, null);

    public static TokenResult Fail(RefusalReason reason) => new(null, reason);
}
