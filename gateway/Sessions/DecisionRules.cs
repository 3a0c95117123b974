using Gateway.Gate.Refusals;
using Gateway.Tokens;

namespace Gateway.Sessions;

/// <summary>DESIGN.md's decision rules, applied to state already read: pure, so unit tests need no store.</summary>
public static class DecisionRules
{
    /// <summary>Null when the token is live as far as the session state says; else why it is not.</summary>
    public static RefusalReason? Judge(VerifiedToken token, in SessionState state)
    {
        if (state.TokenRevoked)
        {
            return Reasons.TokenRevoked;
        }

        if (state.SessionRevoked)
        {
            return Reasons.SessionRevoked;
        }

        // After a detected loss of the store's data nothing issued before the loss can be vouched for.
        if (state.GlobalCutoff > 0 && token.IssuedAt < state.GlobalCutoff)
        {
            return Reasons.StoreDataLost;
        }

        // A token carrying the issuer's version claim is judged by version alone: below the user's is dead, above it
        // is refused (no token can be ahead of the store). Every other token: by iat against the cut-off second (at or
        // before it: a token minted in the same second as a logout-everywhere dies too).
        if (token.Version is { } version)
        {
            if (version < state.Version)
            {
                return Reasons.UserVersionStale;
            }

            if (version > state.Version)
            {
                return Reasons.UserVersionAhead;
            }
        }
        else if (state.Cutoff > 0 && token.IssuedAt <= state.Cutoff)
        {
            return Reasons.UserVersionStale;
        }

        // A back-channel logout of a session whose access tokens carry no sid: that client's sid-less tokens issued
        // at or before the logout are the session's.
        if (token.SessionId is null && state.ClientCutoff > 0 && token.IssuedAt <= state.ClientCutoff)
        {
            return Reasons.SessionRevoked;
        }

        return null;
    }
}
