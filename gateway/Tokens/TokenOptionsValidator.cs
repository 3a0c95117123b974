using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Tokens;

/// <summary>Checks <c>Gateway:Tokens</c> up front and reports every error with the key at fault.</summary>
internal sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    private readonly bool _developmentIssuer;

    public TokenOptionsValidator(Development.DevelopmentIssuer development)
    {
        _developmentIssuer = development.IsActive;
    }

    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var errors = new List<string>();
        const string prefix = TokenOptions.SectionName;
        if (options.Issuers.Count == 0 && !_developmentIssuer)
        {
            errors.Add($"{prefix}:Issuers: at least one issuer is required");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{prefix}:ClockSkew: must be between 00:00:00 and 00:05:00");
        }

        if (options.MaxTokenSize is < 256 or > 65_536)
        {
            errors.Add($"{prefix}:MaxTokenSize: must be between 256 and 65536 characters");
        }

        if (options.VerifiedTokenCacheSize < 0)
        {
            errors.Add($"{prefix}:VerifiedTokenCacheSize: must not be negative");
        }

        ValidateClaims(options.Claims, $"{prefix}:Claims", errors);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            ValidateIssuer(options.Issuers[i], $"{prefix}:Issuers:{i}", seen, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateClaims(ClaimNameOptions claims, string key, List<string> errors)
    {
        foreach (var (claim, value) in new[] { ("Subject", claims.Subject), ("Session", claims.Session), ("TokenId", claims.TokenId), ("AuthTime", claims.AuthTime) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{key}:{claim}: must name a claim");
            }
        }
    }

    private static void ValidateIssuer(IssuerOptions issuer, string key, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            errors.Add($"{key}:Issuer: is required");
        }
        else if (issuer.Issuer.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            // A URL is ASCII (RFC 3986), and with Proxy:IdentityHeaders:Issuer set the issuer is forwarded as a header,
            // where a control character or a non-ASCII letter cannot go: start-up says so rather than the forwarding.
            // Not echoed: it may hold the very characters a log line should not.
            errors.Add($"{key}:Issuer: must be printable ASCII (a URL, RFC 3986; non-ASCII hosts and paths percent- or punycode-encoded)");
        }
        else if (!seen.Add(issuer.Issuer))
        {
            errors.Add($"{key}:Issuer: '{issuer.Issuer}' is configured twice");
        }

        if (issuer.Audiences.Count == 0 || issuer.Audiences.Exists(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{key}:Audiences: at least one non-empty audience is required");
        }

        if (issuer.Algorithms.Count == 0)
        {
            errors.Add($"{key}:Algorithms: at least one algorithm is required (e.g. ES256, RS256, PS256)");
        }

        foreach (var alg in issuer.Algorithms)
        {
            if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{key}:Algorithms: 'none' is never accepted");
            }
            else if (!Algorithms.IsKnown(alg))
            {
                errors.Add($"{key}:Algorithms: unknown algorithm '{alg}' (known: {string.Join(", ", Algorithms.Known)})");
            }
        }

        var hasUri = !string.IsNullOrWhiteSpace(issuer.JwksUri);
        var hasInline = !string.IsNullOrWhiteSpace(issuer.Jwks);
        if (hasUri == hasInline)
        {
            errors.Add($"{key}:JwksUri: exactly one of JwksUri and Jwks is required");
        }

        if (hasUri)
        {
            if (!Uri.TryCreate(issuer.JwksUri, UriKind.Absolute, out var uri) ||
                !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))))
            {
                errors.Add($"{key}:JwksUri: must be an absolute https URI (http only on a loopback address)");
            }
        }

        if (hasInline)
        {
            try
            {
                KeySet.Parse(issuer.Jwks!, DateTimeOffset.UtcNow);
            }
            catch (FormatException ex)
            {
                errors.Add($"{key}:Jwks: {ex.Message}");
            }
        }

        if (issuer.JwksRefreshInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{key}:JwksRefreshInterval: must be at least 00:00:01");
        }

        if (issuer.JwksRefetchCooldown < TimeSpan.Zero)
        {
            errors.Add($"{key}:JwksRefetchCooldown: must not be negative");
        }

        if (issuer.ValidTypes.Exists(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{key}:ValidTypes: values must not be empty");
        }

        if (issuer.LogoutAudiences.Exists(a => !ClaimIds.IsValid(a)))
        {
            errors.Add($"{key}:LogoutAudiences: every value must be a client id of {ClaimIds.Rule}");
        }

        if (issuer.ClientIdsWithoutAudience.Exists(a => !ClaimIds.IsValid(a)))
        {
            errors.Add($"{key}:ClientIdsWithoutAudience: every value must be a client id of {ClaimIds.Rule}");
        }

        if (issuer.VersionClaim is { } version && (string.IsNullOrWhiteSpace(version) || version is "iat" or "exp" or "nbf" or "sub" or "iss" or "aud"))
        {
            errors.Add($"{key}:VersionClaim: '{version}' cannot carry a version (name the claim your tokens carry it in, or leave it unset)");
        }

        if (issuer.TenantClaim is { } tenant && (string.IsNullOrWhiteSpace(tenant) || tenant is "iat" or "exp" or "nbf" or "sub" or "iss" or "aud" or "jti" or "client_id" or "kid"))
        {
            errors.Add($"{key}:TenantClaim: '{tenant}' cannot name a tenant (name the claim your tokens carry it in, or leave it unset)");
        }

        if (issuer.MaxTokenLifetime <= TimeSpan.Zero || issuer.MaxTokenLifetime > TimeSpan.FromDays(366))
        {
            errors.Add($"{key}:MaxTokenLifetime: must be a positive time span of at most 366 days");
        }

        if (issuer.DpopPolicy is null)
        {
            errors.Add($"{key}:Dpop: '{issuer.Dpop}' is not Allowed or Required");
        }

        if (issuer.Claims is { } claims)
        {
            ValidateClaims(claims, $"{key}:Claims", errors);
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));
}
