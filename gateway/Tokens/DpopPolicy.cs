namespace Gateway.Tokens;

/// <summary>What an issuer's tokens must prove, <c>Gateway:Tokens:Issuers:N:Dpop</c> (and route metadata <c>Dpop</c>).</summary>
public enum DpopPolicy
{
    /// <summary>The default: a token with <c>cnf.jkt</c> needs the DPoP scheme and a valid proof; a token without one is a bearer token.</summary>
    Allowed,

    /// <summary>Only DPoP-bound tokens (with <c>cnf.jkt</c>, sent with a valid proof) pass; a plain bearer token is refused (<c>dpop_required</c>).</summary>
    Required,
}
