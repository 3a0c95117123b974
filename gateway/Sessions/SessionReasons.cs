namespace Gateway.Sessions;

/// <summary>The <c>error_description</c> codes of session refusals.</summary>
public static class SessionReasons
{
    public const string TokenRevoked = "token_revoked";
    public const string SessionRevoked = "session_revoked";
    public const string UserVersionStale = "user_version_stale";
    public const string SessionNotActive = "session_not_active";
    public const string UseLimitReached = "use_limit_reached";
    public const string RateSpike = "rate_spike";
    public const string TokenTooOld = "insufficient_user_authentication";
    public const string StoreUnavailable = "session_store_unavailable";
    public const string MissingClaim = "missing_claim";
}
