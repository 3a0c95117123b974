namespace Gateway.Sessions;

/// <summary>
/// Whose state: session state is per (issuer, subject), so two issuers' "alice" never share anything, and neither
/// do a user and a client-credentials client that happen to share a name.
/// </summary>
/// <param name="Issuer">The exact configured issuer string.</param>
/// <param name="Subject">The token's <c>sub</c>.</param>
public readonly record struct UserKey(string Issuer, string Subject)
{
    // Never print the subject: log lines carry no claim values.
    public override string ToString() => "UserKey";
}
