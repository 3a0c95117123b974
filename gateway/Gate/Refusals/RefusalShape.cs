namespace Gateway.Gate.Refusals;

/// <summary>The HTTP shape of a refusal: status code and challenge.</summary>
public enum RefusalShape
{
    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> and no error (RFC 6750 §3.1: no credentials were sent).</summary>
    BareChallenge,

    /// <summary>401 with <c>Bearer error="invalid_token"</c> and the reason as <c>error_description</c>.</summary>
    InvalidToken,

    /// <summary>401 with <c>Bearer error="insufficient_user_authentication"</c> and <c>max_age</c> (RFC 9470 step-up).</summary>
    StepUp,

    /// <summary>403 with <c>Bearer error="insufficient_scope"</c> and the scope the route requires (RFC 6750 §3.1).</summary>
    InsufficientScope,

    /// <summary>401 with <c>DPoP error="invalid_dpop_proof"</c> (RFC 9449 §7.1).</summary>
    InvalidDpopProof,

    /// <summary>401 with <c>DPoP error="use_dpop_nonce"</c> and a fresh <c>DPoP-Nonce</c> header (RFC 9449 §8).</summary>
    UseDpopNonce,

    /// <summary>503 with <c>Retry-After</c>: the session store cannot be reached.</summary>
    Unavailable,
}
