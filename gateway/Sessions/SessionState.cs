namespace Gateway.Sessions;

/// <summary>The session state that judges one token (see <see cref="DecisionRules"/>).</summary>
/// <param name="Version">The user's version (0 when never bumped).</param>
/// <param name="Cutoff">The user's cut-off second (0 when none): tokens judged by <c>iat</c> issued at or before it are dead.</param>
/// <param name="SessionRevoked">The token's <c>sid</c> is denylisted.</param>
/// <param name="TokenRevoked">The token's <c>jti</c> is denylisted.</param>
/// <param name="ActiveSession">The user's single active session, if one was activated.</param>
/// <param name="GlobalCutoff">Set after the store lost its data: every token issued before this second is dead.</param>
/// <param name="ClientCutoff">For a token without <c>sid</c>: its client's back-channel logout cut-off (0 when none).</param>
/// <param name="SessionNewestIat">The newest <c>iat</c> the inventory has recorded for the token's <c>sid</c> (0 when none).</param>
/// <param name="SessionFirstIat">The first <c>iat</c> the inventory has recorded for the token's <c>sid</c> (0 when none).</param>
/// <param name="NewestLead">The session that leads under <c>SingleSessionPolicy=NewestLogin</c>, if any.</param>
/// <param name="FirstLead">The session that holds the lease under <c>SingleSessionPolicy=FirstLogin</c>, if any.</param>
public readonly record struct SessionState(
    long Version,
    long Cutoff,
    bool SessionRevoked,
    bool TokenRevoked,
    string? ActiveSession,
    long GlobalCutoff = 0,
    long ClientCutoff = 0,
    long SessionNewestIat = 0,
    long SessionFirstIat = 0,
    SessionLead? NewestLead = null,
    SessionLead? FirstLead = null);
