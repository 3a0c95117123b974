namespace Gateway.Gate.ProofOfPossession;

/// <summary>Judges the <c>nonce</c> claim of a DPoP proof (RFC 9449 §8); <see cref="DpopNonceService"/> is the gateway's.</summary>
internal interface IDpopNonceCheck
{
    bool IsValid(string nonce, DateTimeOffset now);
}
