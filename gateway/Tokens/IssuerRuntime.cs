using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>
/// One accepted issuer as the verifier uses it: its live keys, the validation parameters for access tokens and for
/// back-channel logout tokens, its <c>alg</c> allow-list, claim names and audience rules. Built once at start-up.
/// </summary>
internal sealed class IssuerRuntime
{
    private readonly HashSet<string> _accessAudiences;
    private readonly HashSet<string> _logoutAudiences;
    private readonly HashSet<string> _clientIds;
    private readonly string[] _validTypes;

    public IssuerRuntime(IssuerKeys keys, TokenOptions options)
    {
        Keys = keys;
        var issuer = keys.Options;
        Claims = issuer.Claims ?? options.Claims;
        VersionClaim = string.IsNullOrWhiteSpace(issuer.VersionClaim) ? null : issuer.VersionClaim;
        TenantClaim = string.IsNullOrWhiteSpace(issuer.TenantClaim) ? null : issuer.TenantClaim;
        MaxTokenLifetime = issuer.MaxTokenLifetime;
        Algorithms = new HashSet<string>(issuer.Algorithms, StringComparer.Ordinal);
        AccessParameters = CreateParameters(keys, options, issuer.Audiences, issuer.ValidTypes.Count > 0 ? issuer.ValidTypes : null);

        // A logout token is addressed to a client (its aud is a client id), never to the API: its own audiences, and
        // its typ is checked by the logout endpoint's rules (absent or logout+jwt), not by the access-token types.
        LogoutParameters = issuer.LogoutAudiences.Count == 0 ? null : CreateParameters(keys, options, issuer.LogoutAudiences, null);

        _accessAudiences = new HashSet<string>(issuer.Audiences, StringComparer.Ordinal);
        _logoutAudiences = new HashSet<string>(issuer.LogoutAudiences, StringComparer.Ordinal);
        _validTypes = [.. issuer.ValidTypes];
        _clientIds = new HashSet<string>(issuer.ClientIdsWithoutAudience, StringComparer.Ordinal);
        if (_clientIds.Count > 0)
        {
            // Cognito-style access tokens name their client in client_id and carry no aud: accepted for these clients
            // only; a token that has an aud is still judged by Audiences alone. One rule for both signature paths.
            AccessParameters.RequireAudience = false;
            AccessParameters.AudienceValidator = (audiences, securityToken, _) => securityToken is JsonWebToken jwt &&
                AudienceAccepted(audiences, jwt.TryGetPayloadValue<string>("client_id", out var client) ? client : null, logout: false);
        }
    }

    public IssuerKeys Keys { get; }

    /// <summary>This issuer's <c>aud</c> and scope lists, shared by its cached tokens.</summary>
    public SharedClaimLists SharedLists { get; } = new();

    public string Issuer => Keys.Issuer;

    public HashSet<string> Algorithms { get; }

    public ClaimNameOptions Claims { get; }

    /// <summary>The claim carrying the user's version, or null (judged by <c>iat</c>).</summary>
    public string? VersionClaim { get; }

    /// <summary>The claim naming the token's tenant, or null.</summary>
    public string? TenantClaim { get; }

    /// <summary>The longest lifetime of this issuer's access tokens (how long a revocation rule must live).</summary>
    public TimeSpan MaxTokenLifetime { get; }

    public TokenValidationParameters AccessParameters { get; }

    /// <summary>Null when the issuer has no <c>LogoutAudiences</c>: its back-channel logouts are refused.</summary>
    public TokenValidationParameters? LogoutParameters { get; }

    /// <summary>
    /// The audience rule of <see cref="AccessParameters"/> or <see cref="LogoutParameters"/>, for the direct signature
    /// path: exact, case-sensitive membership; with no <c>aud</c>, only a listed <c>client_id</c> (access tokens).
    /// </summary>
    public bool AudienceAccepted(IEnumerable<string> audiences, string? clientId, bool logout)
    {
        var accepted = logout ? _logoutAudiences : _accessAudiences;
        var any = false;
        foreach (var audience in audiences)
        {
            any = true;
            if (accepted.Contains(audience))
            {
                return true;
            }
        }

        return !any && !logout && _clientIds.Count > 0 && clientId is not null && _clientIds.Contains(clientId);
    }

    /// <summary>The <c>typ</c> rule of <see cref="AccessParameters"/>: any when no ValidTypes, else an exact, case-sensitive match.</summary>
    public bool TypeAccepted(string? typ) =>
        _validTypes.Length == 0 || (!string.IsNullOrEmpty(typ) && Array.IndexOf(_validTypes, typ) >= 0);

    private static TokenValidationParameters CreateParameters(IssuerKeys keys, TokenOptions options, IEnumerable<string> audiences, IEnumerable<string>? validTypes) => new()
    {
        ValidIssuer = keys.Issuer,
        ValidateIssuer = true,
        ValidAudiences = audiences,
        ValidateAudience = true,
        ValidAlgorithms = keys.Options.Algorithms,
        ValidTypes = validTypes,
        ClockSkew = options.ClockSkew,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        RequireAudience = true,
        // Exact audience match: "api://gateway/" is another audience than "api://gateway" (the library's default ignores the slash).
        IgnoreTrailingSlashWhenValidatingAudience = false,
        TryAllIssuerSigningKeys = false,
        ValidateIssuerSigningKey = false,
        SaveSigninToken = false,
        // The one key the kid names, within the alg's family (found, and refetched if need be, before this runs).
        IssuerSigningKeyResolver = (_, securityToken, kid, _) =>
            securityToken is JsonWebToken jwt && keys.Current.Find(kid, jwt.Alg) is { } key ? [key.Key] : [],
    };
}
