namespace Gateway.Gate.ProofOfPossession;

/// <summary>The nonce service when <c>Gateway:Dpop:NonceSecret</c> is set; <see cref="Service"/> null when nonces are off.</summary>
internal sealed record ProofOfPossessionNonces(DpopNonceService? Service);
