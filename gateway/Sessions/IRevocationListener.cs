namespace Gateway.Sessions;

/// <summary>
/// Hears that session state changed, from wherever it changed: this instance's own writes (through the caching layer
/// or the embedded store) and, with Redis, every instance's writes (the <c>gw:revocations</c> events). Subscribe through
/// <see cref="RevocationNotifier"/>. Called on the thread that learnt of the change: return at once, do the work elsewhere.
/// </summary>
internal interface IRevocationListener
{
    /// <summary>One user's state changed; <paramref name="kind"/> is a <see cref="RevocationEvent"/> kind (token, session, ...).</summary>
    void UserChanged(UserKey user, string kind);

    /// <summary>
    /// Any user's state may have changed: a data-loss cut-off, an unreadable event, or a resync after the event stream
    /// was down (events may have been lost).
    /// </summary>
    void EveryUserChanged();
}
