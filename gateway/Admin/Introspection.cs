using Gateway.Gate.Refusals;
using Gateway.Tokens;

namespace Gateway.Admin;

/// <summary>The gateway's decision on a presented token: verified (or not), and the reason it is not live, if any.</summary>
internal sealed record Introspection(VerifiedToken? Token, RefusalReason? Refusal)
{
    public bool Active => Token is not null && Refusal is null;

    public object ToResponse() => new
    {
        active = Active,
        reason = Refusal?.Code,
        iss = Token?.Issuer,
        sub = Token?.Subject,
        sid = Token?.SessionId,
        jti = Token?.TokenId,
        exp = Token?.ExpiresAt,
    };
}
