namespace Gateway.Sessions;

/// <summary>The gateway-managed single-session policies (route metadata <c>SingleSessionPolicy</c>).</summary>
public enum LeadKind
{
    /// <summary>The session with the newest login leads; it replaces the lead as soon as the gateway sees it.</summary>
    NewestLogin,

    /// <summary>The first session seen holds a lease while it is live; others wait until it frees.</summary>
    FirstLogin,
}
