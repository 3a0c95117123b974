namespace Gateway.Signals;

/// <summary>The CAEP and RISC event types the receiver acts on, and the short names used as metric tags.</summary>
internal static class SignalEventTypes
{
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string CredentialChange = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    public const string AccountDisabled = "https://schemas.openid.net/secevent/risc/event-type/account-disabled";
    public const string AccountPurged = "https://schemas.openid.net/secevent/risc/event-type/account-purged";
    public const string SessionsRevoked = "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked";

    /// <summary>The metric tag of an event type: its last path segment when known, <c>other</c> otherwise (bounded cardinality).</summary>
    public static string Tag(string type) => type switch
    {
        SessionRevoked => "caep.session-revoked",
        CredentialChange => "caep.credential-change",
        TokenClaimsChange => "caep.token-claims-change",
        AccountDisabled => "risc.account-disabled",
        AccountPurged => "risc.account-purged",
        SessionsRevoked => "risc.sessions-revoked",
        _ => "other",
    };
}
