using Gateway.Gate.Refusals;
using Gateway.Sessions.Rules;
using Gateway.Tokens;

namespace Gateway.Admin;

/// <summary>
/// The gateway's decision on a presented token: verified (or not), the reason it is not live, if any, and the
/// revocation rule that refused it, if one did.
/// </summary>
internal sealed record Introspection(VerifiedToken? Token, RefusalReason? Refusal, RevocationRule? Rule = null)
{
    public bool Active => Token is not null && Refusal is null;

    public object ToResponse() => new
    {
        active = Active,
        reason = Refusal?.Code,
        rule = Rule?.Id,
        iss = Token?.Issuer,
        sub = Token?.Subject,
        sid = Token?.SessionId,
        jti = Token?.TokenId,
        exp = Token?.ExpiresAt,
    };

    /// <summary>
    /// The RFC 7662 §2.2 response: when active, the token's members; when not, only <c>active</c>. Either way the
    /// extension member <c>gateway_reason</c> names why a token is not active (absent when it is).
    /// </summary>
    public Dictionary<string, object> ToStandardResponse()
    {
        var response = new Dictionary<string, object>(StringComparer.Ordinal) { ["active"] = Active };
        if (!Active || Token is not { } token)
        {
            response["gateway_reason"] = Refusal?.Code ?? Reasons.Invalid.Code;
            if (Rule is { } rule)
            {
                response["gateway_rule"] = rule.Id;
            }

            return response;
        }

        if (token.Scopes.Length > 0)
        {
            response["scope"] = token.JoinedScopes;
        }

        if (token.ClientId is { } client)
        {
            response["client_id"] = client;
        }

        response["sub"] = token.Subject;
        response["iss"] = token.Issuer;
        if (token.Audiences.Length > 0)
        {
            response["aud"] = token.Audiences.Length == 1 ? token.Audiences[0] : token.Audiences;
        }

        response["exp"] = token.ExpiresAt;
        response["iat"] = token.IssuedAt;
        if (token.TokenId is { } jti)
        {
            response["jti"] = jti;
        }

        if (token.SessionId is { } sid)
        {
            response["sid"] = sid;
        }

        // A DPoP-bound token is used with the DPoP scheme (RFC 9449 §5); every other one as a bearer token.
        response["token_type"] = token.Binding?.JwkThumbprint is not null ? "DPoP" : "Bearer";
        return response;
    }
}
