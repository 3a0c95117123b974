using Gateway.Sessions;

namespace Gateway.Admin;

/// <summary>One inventory session and its state now: <c>live</c>, <c>revoked</c>, or <c>not_active</c> (refused on single-session routes).</summary>
internal sealed record SessionView(SessionRecord Record, string State)
{
    public const string Live = "live";
    public const string Revoked = "revoked";
    public const string NotActive = "not_active";

    public static string StateOf(SessionRecord record, SessionState state)
    {
        // Its newest token is dead: the session was ended, or the user signed out everywhere (or the store lost its data) after it.
        if (state.SessionRevoked || (state.Cutoff > 0 && record.NewestIat <= state.Cutoff) || (state.GlobalCutoff > 0 && record.NewestIat < state.GlobalCutoff))
        {
            return Revoked;
        }

        var sid = record.Sid;
        if ((state.ActiveSession is { } active && active != sid) || (state.NewestLead is { } newest && newest.Sid != sid) ||
            (state.FirstLead is { } first && first.Sid != sid))
        {
            return NotActive;
        }

        return Live;
    }
}
