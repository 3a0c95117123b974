namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The verdict on one DPoP proof. Valid: <see cref="Reason"/> is null, and <see cref="Jti"/>, <see cref="Iat"/> and
/// <see cref="Thumbprint"/> feed the replay guard. Refused: <see cref="Reason"/> is one of <see cref="DpopReasons"/>.
/// </summary>
internal readonly record struct DpopProofResult(string? Reason, string? Jti, long Iat, string? Thumbprint)
{
    public bool IsValid => Reason is null;

    public static DpopProofResult Fail(string reason) => new(reason, null, 0, null);
}
