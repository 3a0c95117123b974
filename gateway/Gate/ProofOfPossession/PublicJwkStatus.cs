namespace Gateway.Gate.ProofOfPossession;

/// <summary>What reading a JWK as a public key found.</summary>
internal enum PublicJwkStatus
{
    Valid,

    /// <summary>Not an object, an unknown or symmetric <c>kty</c>, an unknown curve, a member missing, of the wrong type or size.</summary>
    Invalid,

    /// <summary>Private key members are present: a proof never carries them, and the key is refused whole.</summary>
    Private,
}
