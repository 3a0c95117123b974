using System.Text.Json;
using Gateway.Gate.Refusals;
using Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>
/// Verifies one JWT against the configured issuers, with no cache: shape, issuer, <c>alg</c> allow-list, untrusted
/// headers, lifetime, the key its <c>kid</c> names (within the algorithm's family), signature, audience and
/// <c>typ</c>; then reads the claims the gateway uses. Access tokens and back-channel logout tokens each have their
/// own method and result. Never throws for any input.
/// </summary>
internal sealed partial class JwtVerifier
{
    public const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static readonly string[] UntrustedHeaders = ["crit", "b64", "jku", "x5u", "jwk", "x5c", "zip"];

    private readonly Dictionary<string, IssuerRuntime> _issuers;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _time;
    private readonly TokenOptions _options;
    private readonly TypedClaims _typedClaims;
    private readonly long _skewSeconds;
    private readonly ILogger<JwtVerifier> _logger;

    public JwtVerifier(IssuerRegistry registry, IOptions<TokenOptions> options, TimeProvider time, ILogger<JwtVerifier> logger)
    {
        _options = options.Value;
        _skewSeconds = (long)_options.ClockSkew.TotalSeconds;
        _time = time;
        _logger = logger;
        _issuers = new Dictionary<string, IssuerRuntime>(StringComparer.Ordinal);
        foreach (var keys in registry.All)
        {
            _issuers[keys.Issuer] = new IssuerRuntime(keys, _options);
        }

        // One home for claim types: TokenShape checks these on the raw JSON, for every issuer's claim names.
        var claimSets = _issuers.Values.Select(i => i.Claims).Append(_options.Claims).ToList();
        _typedClaims = new TypedClaims(
            [JwtRegisteredClaimNames.Exp, JwtRegisteredClaimNames.Nbf, JwtRegisteredClaimNames.Iat, .. claimSets.Select(c => c.AuthTime)],
            [.. claimSets.SelectMany(c => new[] { c.Subject, c.Session, c.TokenId }), "client_id", "azp", "scope"],
            [
                JwtRegisteredClaimNames.Iss, JwtRegisteredClaimNames.Aud, "scp", "cnf", "events", "nonce",
                .. _issuers.Values.SelectMany(i => new[] { i.VersionClaim, i.TenantClaim }).OfType<string>(),
            ]);
    }

    /// <summary>The runtime of a configured issuer, or null.</summary>
    public IssuerRuntime? Find(string issuer) => _issuers.GetValueOrDefault(issuer);

    public IEnumerable<IssuerRuntime> Issuers => _issuers.Values;

    /// <summary>Verifies an access token.</summary>
    public ValueTask<TokenResult> VerifyAccessTokenAsync(string token, CancellationToken cancellationToken) =>
        VerifyAccessTokenAsync(token.AsMemory(), cancellationToken);

    /// <summary>Verifies an access token given as a slice (of a header value): the token is not copied.</summary>
    public async ValueTask<TokenResult> VerifyAccessTokenAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken)
    {
        var (refusal, jwt, issuer, numbers, key, audiences) = await VerifySignedAsync(token, logout: false, cancellationToken);
        if (refusal is not null)
        {
            return TokenResult.Fail(refusal);
        }

        var claims = issuer!.Claims;
        if (jwt!.String(claims.Subject) is not { Length: > 0 } sub)
        {
            return TokenResult.Fail(Reasons.MissingClaim);
        }

        if (numbers.Iat is null || numbers.Exp is null)
        {
            return TokenResult.Fail(Reasons.MissingClaim);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();

        // A token dated ahead would survive a logout-everywhere; an auth_time ahead would satisfy any MaxTokenAge.
        jwt.TryReadInteger(claims.AuthTime, out var authTime);
        if (numbers.Iat > now + _skewSeconds || authTime > now + _skewSeconds)
        {
            return TokenResult.Fail(Reasons.InvalidClaim);
        }

        // Ids follow one rule (ClaimIds); present but empty is as wrong as present and too long.
        if (!ClaimIds.IsValid(sub) || !TryReadId(jwt, claims.Session, out var sid) || !TryReadId(jwt, claims.TokenId, out var jti) ||
            !TryReadId(jwt, "client_id", out var clientId) || !TryReadId(jwt, "azp", out var azp))
        {
            return TokenResult.Fail(Reasons.InvalidClaim);
        }

        var client = clientId ?? azp;

        long? version = null;
        if (issuer.VersionClaim is { } versionClaim && !jwt.TryReadInteger(versionClaim, out version))
        {
            return TokenResult.Fail(Reasons.InvalidClaim);
        }

        if (!TryReadScopes(jwt, out var scopes) || !TryReadBinding(jwt, out var binding))
        {
            return TokenResult.Fail(Reasons.InvalidClaim);
        }

        // The configured issuer string, not the token's copy: one instance shared by every cached token.
        var sharedScopes = issuer.SharedLists.Share(scopes, out var scopeText);
        return TokenResult.Ok(new VerifiedToken(issuer.Issuer, sub, sid, jti, numbers.Iat.Value, numbers.Exp.Value, authTime, version)
        {
            ClientId = client,
            Audiences = issuer.SharedLists.Share([.. audiences!]),
            Tenant = issuer.TenantClaim is { } tenantClaim ? ReadString(jwt, tenantClaim) : null,
            Scopes = sharedScopes,
            ScopeText = scopeText,
            KeyId = key!.Jwk.Kid,
            Binding = binding,
            VerifiedBy = key,
            IssuerKeys = issuer.Keys,
            KeySetVersion = issuer.Keys.Current.Version,
        });
    }

    /// <summary>Verifies an OIDC back-channel logout token (Back-Channel Logout 1.0 §2.6).</summary>
    public async ValueTask<LogoutTokenResult> VerifyLogoutTokenAsync(string token, CancellationToken cancellationToken)
    {
        var (refusal, jwt, issuer, numbers, _, audiences) = await VerifySignedAsync(token.AsMemory(), logout: true, cancellationToken);
        if (refusal is not null)
        {
            return refusal == Reasons.InvalidAudience
                ? LogoutTokenResult.Fail(refusal.Code, $"the logout token was refused: {refusal.Code} (its aud is not among the issuer's LogoutAudiences)")
                : LogoutTokenResult.Fail(refusal.Code, $"the logout token was refused: {refusal.Code}");
        }

        if (jwt!.Typ is { Length: > 0 } typ && !string.Equals(typ, "logout+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return LogoutTokenResult.Fail(Reasons.InvalidType.Code, "typ must be absent or logout+jwt");
        }

        var hasNonce = jwt.Has("nonce");
        if (!HasLogoutEvent(jwt) || hasNonce)
        {
            return LogoutTokenResult.Fail(Reasons.InvalidClaim.Code,
                hasNonce ? "a logout token must not carry a nonce" : "the events claim must hold the back-channel-logout event");
        }

        // The logout token's session claim is always sid (the spec's), whatever name access tokens use.
        var sub = ReadString(jwt, JwtRegisteredClaimNames.Sub);
        var sid = ReadString(jwt, "sid");
        if (sub is null)
        {
            return LogoutTokenResult.Fail(Reasons.MissingClaim.Code, "the logout token must carry sub (sid-only logout tokens are not accepted)");
        }

        var jti = ReadString(jwt, JwtRegisteredClaimNames.Jti);
        if (numbers.Iat is null || numbers.Exp is null || jti is null)
        {
            return LogoutTokenResult.Fail(Reasons.MissingClaim.Code, "the logout token must carry iat, exp and jti");
        }

        if (!ClaimIds.IsValid(sub) || (sid is not null && !ClaimIds.IsValid(sid)) || !ClaimIds.IsValid(jti))
        {
            return LogoutTokenResult.Fail(Reasons.InvalidClaim.Code, $"sub, sid and jti must be {ClaimIds.Rule}");
        }

        var logoutAudiences = issuer!.Keys.Options.LogoutAudiences;
        var client = audiences!.First(a => logoutAudiences.Contains(a, StringComparer.Ordinal));
        return LogoutTokenResult.Ok(new LogoutToken(issuer.Issuer, sub, sid, jti, numbers.Iat.Value, numbers.Exp.Value, client));
    }

    private async ValueTask<SignedToken> VerifySignedAsync(
        ReadOnlyMemory<char> token, bool logout, CancellationToken cancellationToken)
    {
        if (token.Length > _options.MaxTokenSize)
        {
            return SignedToken.Refused(Reasons.TooLarge);
        }

        // One decode and one walk: the shape rules and, kept from them, the place of every member the checks below read.
        switch (TokenShape.Parse(token, _typedClaims, out var jwt))
        {
            case TokenShapeVerdict.Malformed:
                return SignedToken.Refused(Reasons.Malformed);
            case TokenShapeVerdict.InvalidClaim:
                // The library would read "exp":"1700000000" or 1700000000.5 as a number, ["a","b"] as "a"; the gateway does not.
                return SignedToken.Refused(Reasons.InvalidClaim);
        }

        // RFC 7515 §4.1 and RFC 7519 §4.1: these are strings (aud: or an array of strings); anything else is not a JWT this
        // gateway reads. A null header member reads as absent.
        var audiences = jwt!.Audiences();
        if (jwt.HasMistypedHeader("alg") || jwt.HasMistypedHeader("kid") || jwt.HasMistypedHeader("typ") || jwt.HasMistypedHeader("cty") ||
            jwt.IsMistyped(JwtRegisteredClaimNames.Iss) || audiences is null)
        {
            return SignedToken.Refused(Reasons.Malformed);
        }

        var iss = jwt.String(JwtRegisteredClaimNames.Iss);
        if (iss is null || !_issuers.TryGetValue(iss, out var issuer))
        {
            return SignedToken.Refused(Reasons.UnknownIssuer);
        }

        // Exact, case-sensitive membership: "none", "NONE" and "nOnE" are never in the list.
        var alg = jwt.Alg;
        if (alg is null || !issuer.Algorithms.Contains(alg))
        {
            return SignedToken.Refused(Reasons.AlgorithmNotAllowed);
        }

        // The gateway understands no critical extension; b64=false (RFC 7797) changes what is signed. Key-carrying
        // headers are never trusted, so a token that relies on them is refused outright rather than half-honoured.
        foreach (var header in UntrustedHeaders)
        {
            if (jwt.HasHeader(header))
            {
                return SignedToken.Refused(Reasons.UnsupportedHeader);
            }
        }

        // TokenShape checked these members' JSON types: reading them cannot fail.
        jwt.TryReadInteger(JwtRegisteredClaimNames.Exp, out var exp);
        jwt.TryReadInteger(JwtRegisteredClaimNames.Nbf, out var nbf);
        jwt.TryReadInteger(JwtRegisteredClaimNames.Iat, out var iat);
        var numbers = new NumericClaims(exp, nbf, iat);

        // Lifetime before signature: an expired or not-yet-valid token is refused without an ECDSA/RSA verification.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (numbers is { Exp: { } end, Nbf: { } start } && start > end)
        {
            return SignedToken.Refused(Reasons.InvalidClaim);
        }

        if (numbers.Exp is { } expires && now > expires + _skewSeconds)
        {
            return SignedToken.Refused(Reasons.Expired);
        }

        if (numbers.Nbf is { } notBefore && notBefore > now + _skewSeconds)
        {
            return SignedToken.Refused(Reasons.NotYetValid);
        }

        // A logout token never passes as an access token, whatever the issuer's ValidTypes.
        var typ = jwt.Typ;
        if (!logout && (string.Equals(typ, "logout+jwt", StringComparison.OrdinalIgnoreCase) || jwt.Has("events")))
        {
            return SignedToken.Refused(Reasons.InvalidType);
        }

        var parameters = logout ? issuer.LogoutParameters : issuer.AccessParameters;
        if (parameters is null)
        {
            return SignedToken.Refused(Reasons.InvalidAudience);
        }

        var kid = jwt.Kid;
        var key = issuer.Keys.Current.Find(kid, alg);
        if (key is null)
        {
            var refreshed = await issuer.Keys.RefreshForUnknownKidAsync(cancellationToken);
            key = refreshed.Find(kid, alg);
            if (key is null)
            {
                return SignedToken.Refused(Reasons.UnknownKey);
            }
        }

        if (key.Direct is { } direct)
        {
            // The library's checks, in its order (signature, then lifetime, audience and type), without its overhead.
            if (!direct.Verify(alg, token.Span))
            {
                return SignedToken.Refused(Reasons.InvalidSignature);
            }

            if (numbers.Exp is null)
            {
                return SignedToken.Refused(Reasons.MissingClaim);
            }

            if (!issuer.AudienceAccepted(audiences, jwt.String("client_id"), logout))
            {
                return SignedToken.Refused(Reasons.InvalidAudience);
            }

            return logout || issuer.TypeAccepted(typ) ? new SignedToken(null, jwt, issuer, numbers, key, audiences) : SignedToken.Refused(Reasons.InvalidType);
        }

        TokenValidationResult validation;
        try
        {
            // HMAC and small RSA keys: the library verifies, with its key-size rules; the claims are still read from the document.
            validation = await _handler.ValidateTokenAsync(new JsonWebToken(token.ToString()), parameters);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or OverflowException or JsonException or System.Security.Cryptography.CryptographicException)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.ValidationThrew(_logger, ex.GetType().Name);
            }

            return SignedToken.Refused(Reasons.Invalid);
        }

        return validation.IsValid ? new SignedToken(null, jwt, issuer, numbers, key, audiences) : SignedToken.Refused(MapFailure(validation.Exception));
    }

    private readonly record struct NumericClaims(long? Exp, long? Nbf, long? Iat);

    // What VerifySignedAsync found: a refusal, or the parsed token with its issuer, numbers, key and audiences.
    private readonly record struct SignedToken(RefusalReason? Refusal, JwtDocument? Jwt, IssuerRuntime? Issuer, NumericClaims Numbers, SigningKey? Key, List<string>? Audiences)
    {
        public static SignedToken Refused(RefusalReason reason) => new(reason, null, null, default, null, null);
    }

    private static bool TryReadId(JwtDocument jwt, string name, out string? value)
    {
        value = null;
        if (!jwt.Has(name))
        {
            return true;
        }

        // TokenShape checked the id claims are strings.
        value = jwt.String(name);
        return value is not null && ClaimIds.IsValid(value);
    }

    private static string? ReadString(JwtDocument jwt, string name) => jwt.String(name) is { Length: > 0 } value ? value : null;

    // scope: one space-separated string (RFC 8693, RFC 9068); scp: an array of strings (Entra ID, Okta) or a string.
    private static bool TryReadScopes(JwtDocument jwt, out string[] scopes)
    {
        scopes = [];
        var scope = jwt.String("scope");
        if (scope is null && !jwt.Has("scp"))
        {
            return true;
        }

        var list = new List<string>();
        if (scope is not null)
        {
            list.AddRange(scope.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        if (jwt.TryGetElement("scp", out var scp))
        {
            switch (scp.ValueKind)
            {
                case JsonValueKind.String:
                    list.AddRange(scp.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case JsonValueKind.Array:
                    foreach (var item in scp.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        list.Add(item.GetString()!);
                    }

                    break;
                default:
                    return false;
            }
        }

        if (list.Count > 256 || !list.TrueForAll(IsScopeToken))
        {
            return false;
        }

        scopes = list.Count == 0 ? [] : [.. list.Distinct(StringComparer.Ordinal)];
        return true;
    }

    // RFC 6749 §3.3 (scope-token, printable ASCII without space; '"' and '\' let through, harmless in a header): the
    // scopes are joined into an identity header, so a CR/LF would split it and a space inside an scp entry would make
    // two scopes of one.
    private static bool IsScopeToken(string scope) => scope.Length > 0 && !scope.AsSpan().ContainsAnyExceptInRange('!', '~');

    // cnf (RFC 7800): jkt (RFC 9449) and x5t#S256 (RFC 8705), each a base64url SHA-256 (43 characters).
    private static bool TryReadBinding(JwtDocument jwt, out TokenBinding? binding)
    {
        binding = null;
        if (!jwt.TryGetElement("cnf", out var cnf))
        {
            return true;
        }

        if (cnf.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        string? jkt = null, x5t = null;
        if (cnf.TryGetProperty("jkt", out var j))
        {
            if (j.ValueKind != JsonValueKind.String || j.GetString() is not { Length: 43 } value)
            {
                return false;
            }

            jkt = value;
        }

        if (cnf.TryGetProperty("x5t#S256", out var x))
        {
            if (x.ValueKind != JsonValueKind.String || x.GetString() is not { Length: 43 } value)
            {
                return false;
            }

            x5t = value;
        }

        binding = jkt is null && x5t is null ? null : new TokenBinding(jkt, x5t);
        return true;
    }

    private static bool HasLogoutEvent(JwtDocument jwt) =>
        jwt.TryGetElement("events", out var events) && events.ValueKind == JsonValueKind.Object &&
        events.TryGetProperty(LogoutEvent, out var logout) && logout.ValueKind == JsonValueKind.Object;

    internal static RefusalReason MapFailure(Exception? ex) => ex switch
    {
        SecurityTokenExpiredException => Reasons.Expired,
        SecurityTokenNotYetValidException => Reasons.NotYetValid,
        SecurityTokenInvalidIssuerException => Reasons.UnknownIssuer,
        SecurityTokenInvalidAudienceException => Reasons.InvalidAudience,
        SecurityTokenSignatureKeyNotFoundException => Reasons.UnknownKey,
        SecurityTokenInvalidSignatureException => Reasons.InvalidSignature,
        SecurityTokenInvalidAlgorithmException => Reasons.AlgorithmNotAllowed,
        SecurityTokenInvalidTypeException => Reasons.InvalidType,
        SecurityTokenNoExpirationException => Reasons.MissingClaim,
        SecurityTokenInvalidLifetimeException => Reasons.InvalidClaim,
        SecurityTokenMalformedException => Reasons.Malformed,
        _ => Reasons.Invalid,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.ValidationThrew, Level = LogLevel.Debug, Message = "Token validation threw {ExceptionType}; refused as invalid_token")]
        public static partial void ValidationThrew(ILogger logger, string exceptionType);
    }
}
