namespace Gateway.Tokens;

/// <summary>The <c>error_description</c> codes for tokens refused before any session check.</summary>
public static class TokenReasons
{
    public const string Missing = "token_missing";
    public const string TooLarge = "token_too_large";
    public const string Malformed = "malformed_token";
    public const string UnknownIssuer = "invalid_issuer";
    public const string InvalidAudience = "invalid_audience";
    public const string AlgorithmNotAllowed = "algorithm_not_allowed";
    public const string UnsupportedHeader = "unsupported_header";
    public const string UnknownKey = "unknown_key";
    public const string InvalidSignature = "invalid_signature";
    public const string Expired = "token_expired";
    public const string NotYetValid = "token_not_yet_valid";
    public const string InvalidType = "invalid_token_type";
    public const string InvalidClaim = "invalid_claim";
    public const string MissingClaim = "missing_claim";
    public const string Invalid = "invalid_token";
}
