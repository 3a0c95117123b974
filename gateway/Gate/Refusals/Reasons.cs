using Gateway.Gate.ProofOfPossession;

namespace Gateway.Gate.Refusals;

/// <summary>
/// Every refusal the gateway answers, in one table: the response writer, the metrics, the refused-token cache and
/// README's refusal table read these rows. A reason code is spelled here and nowhere else.
/// </summary>
public static class Reasons
{
    // Before a token is read or verified.
    public static readonly RefusalReason Missing = new("token_missing", RefusalShape.BareChallenge, false, "A bearer token is required.");
    public static readonly RefusalReason TooLarge = new("token_too_large", RefusalShape.InvalidToken, true, "The token is larger than this gateway accepts.");
    public static readonly RefusalReason Malformed = new("malformed_token", RefusalShape.InvalidToken, true, "The token is not a well-formed signed JWT.");
    public static readonly RefusalReason UnknownIssuer = new("invalid_issuer", RefusalShape.InvalidToken, true, "The token's issuer is not accepted.");
    public static readonly RefusalReason InvalidAudience = new("invalid_audience", RefusalShape.InvalidToken, true, "The token is not addressed to this API.");
    public static readonly RefusalReason AlgorithmNotAllowed = new("algorithm_not_allowed", RefusalShape.InvalidToken, true, "The token's alg is not on the issuer's allow-list.");
    public static readonly RefusalReason UnsupportedHeader = new("unsupported_header", RefusalShape.InvalidToken, true, "The token carries a header this gateway never trusts.");

    // Not cached: the issuer may publish the key a moment later.
    public static readonly RefusalReason UnknownKey = new("unknown_key", RefusalShape.InvalidToken, false, "No key of the issuer matches the token.");
    public static readonly RefusalReason InvalidSignature = new("invalid_signature", RefusalShape.InvalidToken, true, "The token's signature is invalid.");
    public static readonly RefusalReason Expired = new("token_expired", RefusalShape.InvalidToken, true, "The token has expired.");

    // Not cached: time makes it valid.
    public static readonly RefusalReason NotYetValid = new("token_not_yet_valid", RefusalShape.InvalidToken, false, "The token is not valid yet.");
    public static readonly RefusalReason InvalidType = new("invalid_token_type", RefusalShape.InvalidToken, true, "The token's typ is not accepted here.");
    public static readonly RefusalReason InvalidClaim = new("invalid_claim", RefusalShape.InvalidToken, true, "A claim of the token has a value this gateway refuses.");
    public static readonly RefusalReason MissingClaim = new("missing_claim", RefusalShape.InvalidToken, true, "The token lacks a claim this route needs.");
    public static readonly RefusalReason Invalid = new("invalid_token", RefusalShape.InvalidToken, false, "The token was refused.");

    // The route's rules.
    public static readonly RefusalReason InsufficientUserAuthentication = new("insufficient_user_authentication", RefusalShape.StepUp, false, "A more recent authentication is required.");
    public static readonly RefusalReason InsufficientScope = new("insufficient_scope", RefusalShape.InsufficientScope, true, "The token lacks a scope this route requires.");
    public static readonly RefusalReason UseLimitReached = new("use_limit_reached", RefusalShape.InvalidToken, false, "The token has been used as often as this route allows.");

    // Proof of possession (RFC 9449 DPoP, RFC 8705 certificate binding). The proof codes are the validator's (DpopReasons).
    public static readonly RefusalReason DpopRequired = new("dpop_required", RefusalShape.InvalidDpopProof, false, "This route or issuer accepts DPoP-bound tokens only.");
    public static readonly RefusalReason DpopSchemeRequired = new("dpop_scheme_required", RefusalShape.InvalidDpopProof, false, "A DPoP-bound token must be sent with the DPoP scheme and a proof.");
    public static readonly RefusalReason DpopProofMissing = Proof(DpopReasons.ProofMissing, "Exactly one DPoP proof header is required.");
    public static readonly RefusalReason DpopProofTooLarge = Proof(DpopReasons.ProofTooLarge, "The DPoP proof is larger than this gateway accepts.");
    public static readonly RefusalReason DpopProofInvalid = Proof(DpopReasons.ProofInvalid, "The DPoP proof is not a well-formed proof JWT.");
    public static readonly RefusalReason DpopTypeInvalid = Proof(DpopReasons.TypeInvalid, "The DPoP proof's typ is not dpop+jwt.");
    public static readonly RefusalReason DpopAlgorithmNotAllowed = Proof(DpopReasons.AlgorithmNotAllowed, "The DPoP proof's alg is not accepted.");
    public static readonly RefusalReason DpopJwkInvalid = Proof(DpopReasons.JwkInvalid, "The DPoP proof's jwk is not a usable public key.");
    public static readonly RefusalReason DpopJwkPrivate = Proof(DpopReasons.JwkPrivate, "The DPoP proof's jwk carries private key material.");
    public static readonly RefusalReason DpopKeyMismatch = Proof(DpopReasons.KeyMismatch, "The DPoP proof is signed by another key than the token is bound to.");
    public static readonly RefusalReason DpopHtmMismatch = Proof(DpopReasons.HtmMismatch, "The DPoP proof was made for another method.");
    public static readonly RefusalReason DpopHtuMismatch = Proof(DpopReasons.HtuMismatch, "The DPoP proof was made for another URI.");
    public static readonly RefusalReason DpopAthMismatch = Proof(DpopReasons.AthMismatch, "The DPoP proof was made for another access token.");
    public static readonly RefusalReason DpopProofStale = Proof(DpopReasons.ProofStale, "The DPoP proof is too old.");
    public static readonly RefusalReason DpopProofFuture = Proof(DpopReasons.ProofFuture, "The DPoP proof is issued in the future.");
    public static readonly RefusalReason DpopNonceRequired = new(DpopReasons.NonceRequired, RefusalShape.UseDpopNonce, false, "The DPoP proof must carry the server's nonce.");
    public static readonly RefusalReason DpopNonceInvalid = new(DpopReasons.NonceInvalid, RefusalShape.UseDpopNonce, false, "The DPoP proof's nonce is expired or unknown.");
    public static readonly RefusalReason DpopSignatureInvalid = Proof(DpopReasons.SignatureInvalid, "The DPoP proof's signature is invalid.");
    public static readonly RefusalReason DpopProofReplayed = Proof(DpopReasons.ProofReplayed, "The DPoP proof was used before.");
    public static readonly RefusalReason CertificateMismatch = new(DpopReasons.CertificateMismatch, RefusalShape.InvalidToken, false, "The token is bound to a client certificate this request does not present.");

    // The session state.
    public static readonly RefusalReason TokenRevoked = new("token_revoked", RefusalShape.InvalidToken, false, "The token was revoked.");
    public static readonly RefusalReason SessionRevoked = new("session_revoked", RefusalShape.InvalidToken, false, "The token's session was ended.");
    public static readonly RefusalReason UserVersionStale = new("user_version_stale", RefusalShape.InvalidToken, false, "The user was signed out everywhere after this token was issued.");
    public static readonly RefusalReason UserVersionAhead = new("user_version_ahead", RefusalShape.InvalidToken, false, "The token's version is ahead of the user's: the store cannot have issued it.");
    public static readonly RefusalReason StoreDataLost = new("store_data_lost", RefusalShape.InvalidToken, false, "The session store lost its data after this token was issued; sign in again.");
    public static readonly RefusalReason SessionNotActive = new("session_not_active", RefusalShape.InvalidToken, false, "Another session is the user's active one; signing in again will not help.");
    public static readonly RefusalReason RevokedByRule = new("revoked_by_rule", RefusalShape.InvalidToken, false, "A revocation rule covers this token (its client, key, tenant or issuer was revoked when it was issued).");
    public static readonly RefusalReason TokenReplaced = new("token_replaced", RefusalShape.InvalidToken, false, "A newer token of this session is in use; use that one.");
    public static readonly RefusalReason RateSpike = new("rate_spike", RefusalShape.InvalidToken, false, "The token was used at an unusual rate and was revoked.");
    public static readonly RefusalReason StoreUnavailable = new("session_store_unavailable", RefusalShape.Unavailable, false, "Session state cannot be checked right now; retry shortly.");

    // Guarded connections.
    public static readonly RefusalReason TooManyConnections = new("too_many_connections", RefusalShape.Unavailable, false, "The gateway guards as many open connections as it may; retry shortly.");

    /// <summary>Every row, for the README table, tests and the console.</summary>
    public static IReadOnlyList<RefusalReason> All { get; } =
    [
        Missing, TooLarge, Malformed, UnknownIssuer, InvalidAudience, AlgorithmNotAllowed, UnsupportedHeader, UnknownKey,
        InvalidSignature, Expired, NotYetValid, InvalidType, InvalidClaim, MissingClaim, Invalid,
        InsufficientUserAuthentication, InsufficientScope, UseLimitReached,
        DpopRequired, DpopSchemeRequired, DpopProofMissing, DpopProofTooLarge, DpopProofInvalid, DpopTypeInvalid, DpopAlgorithmNotAllowed,
        DpopJwkInvalid, DpopJwkPrivate, DpopKeyMismatch, DpopHtmMismatch, DpopHtuMismatch, DpopAthMismatch, DpopProofStale, DpopProofFuture,
        DpopNonceRequired, DpopNonceInvalid, DpopSignatureInvalid, DpopProofReplayed, CertificateMismatch,
        TokenRevoked, SessionRevoked, UserVersionStale, UserVersionAhead, StoreDataLost, SessionNotActive, TokenReplaced, RevokedByRule, RateSpike, StoreUnavailable,
        TooManyConnections,
    ];

    /// <summary>The rows of proof-of-possession refusals answered with a DPoP challenge (<see cref="Refusal.Dpop"/>).</summary>
    public static IEnumerable<RefusalReason> DpopChallenges =>
        All.Where(r => r.Shape is RefusalShape.InvalidDpopProof or RefusalShape.UseDpopNonce);

    private static readonly Dictionary<string, RefusalReason> ByCode = All.ToDictionary(r => r.Code, StringComparer.Ordinal);

    /// <summary>The row of a reason code, or null.</summary>
    public static RefusalReason? Find(string code) => ByCode.GetValueOrDefault(code);

    private static RefusalReason Proof(string code, string title) => new(code, RefusalShape.InvalidDpopProof, false, title);
}
