namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The <c>error_description</c> codes of a refused DPoP proof or certificate binding, one per cause. Every proof
/// code answers with RFC 9449's <c>invalid_dpop_proof</c> error except the two nonce codes, which answer
/// <c>use_dpop_nonce</c> together with a fresh <c>DPoP-Nonce</c> header (see <see cref="ErrorCode"/>).
/// </summary>
public static class DpopReasons
{
    /// <summary>No <c>DPoP</c> header, or more than one (RFC 9449 §4.3 step 1); the caller decides this one.</summary>
    public const string ProofMissing = "dpop_proof_missing";

    /// <summary>The proof is longer than <c>Gateway:Dpop:MaxProofSize</c>; refused before any parsing.</summary>
    public const string ProofTooLarge = "dpop_proof_too_large";

    /// <summary>Not a compact JWS of three strict base64url parts, not JSON objects, duplicate members, a <c>crit</c> header, a required claim missing or of the wrong type.</summary>
    public const string ProofInvalid = "dpop_proof_invalid";

    /// <summary>The <c>typ</c> header is not <c>dpop+jwt</c>.</summary>
    public const string TypeInvalid = "dpop_type_invalid";

    /// <summary>The <c>alg</c> is not an allowed asymmetric algorithm (<c>none</c> and HS* never are).</summary>
    public const string AlgorithmNotAllowed = "dpop_algorithm_not_allowed";

    /// <summary>The <c>jwk</c> header is missing, malformed, symmetric, of an unsupported type or curve, or does not fit <c>alg</c>.</summary>
    public const string JwkInvalid = "dpop_jwk_invalid";

    /// <summary>The <c>jwk</c> header carries private key members (<c>d</c>, <c>p</c>, <c>q</c>, <c>dp</c>, <c>dq</c>, <c>qi</c>, <c>k</c>, <c>oth</c>).</summary>
    public const string JwkPrivate = "dpop_jwk_private";

    /// <summary>The signature does not verify with the <c>jwk</c> of the header.</summary>
    public const string SignatureInvalid = "dpop_signature_invalid";

    /// <summary>The thumbprint of the proof's key is not the token's <c>cnf.jkt</c>.</summary>
    public const string KeyMismatch = "dpop_key_mismatch";

    /// <summary>The <c>htm</c> claim is not the request's method.</summary>
    public const string HtmMismatch = "dpop_htm_mismatch";

    /// <summary>The <c>htu</c> claim is not the request's URI (query and fragment ignored).</summary>
    public const string HtuMismatch = "dpop_htu_mismatch";

    /// <summary>An access token is presented and the <c>ath</c> claim is absent or not the hash of that token.</summary>
    public const string AthMismatch = "dpop_ath_mismatch";

    /// <summary>The proof's <c>iat</c> is older than the window.</summary>
    public const string ProofStale = "dpop_proof_stale";

    /// <summary>The proof's <c>iat</c> is later than now plus the allowed skew.</summary>
    public const string ProofFuture = "dpop_proof_future";

    /// <summary>Nonces are on and the proof carries none.</summary>
    public const string NonceRequired = "dpop_nonce_required";

    /// <summary>Nonces are on and the proof's nonce is expired or forged.</summary>
    public const string NonceInvalid = "dpop_nonce_invalid";

    /// <summary>A proof with this key and <c>jti</c> was already accepted.</summary>
    public const string ProofReplayed = "dpop_proof_replayed";

    /// <summary>A certificate-bound token (<c>cnf.x5t#S256</c>) came without a client certificate, or with another one.</summary>
    public const string CertificateMismatch = "certificate_mismatch";

    /// <summary>The RFC 9449 / RFC 6750 <c>error</c> value a refusal reason answers with.</summary>
    public static string ErrorCode(string reason) => reason switch
    {
        NonceRequired or NonceInvalid => "use_dpop_nonce",
        CertificateMismatch => "invalid_token",
        _ => "invalid_dpop_proof",
    };
}
