using System.Security.Claims;
using Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tokens;

/// <summary>
/// Verifies bearer tokens against the configured issuers: size, shape, issuer, <c>alg</c> allow-list, critical
/// headers, claim types, the key its <c>kid</c> names (within the algorithm's family), signature, lifetime,
/// audience and <c>typ</c>. A verified token is cached until it expires, so a reused token is verified once.
/// </summary>
internal sealed partial class TokenVerifier
{
    private readonly Dictionary<string, IssuerRuntime> _issuers;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly VerifiedTokenCache _cache;
    private readonly RefusedTokenCache _refused;
    private readonly TimeProvider _time;
    private readonly TokenOptions _options;
    private readonly TypedClaims _typedClaims;
    private readonly long _skewSeconds;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<TokenVerifier> _logger;

    public TokenVerifier(IssuerRegistry registry, IOptions<TokenOptions> options, TimeProvider time, GatewayMetrics metrics, ILogger<TokenVerifier> logger)
    {
        _options = options.Value;
        _skewSeconds = (long)_options.ClockSkew.TotalSeconds;
        var claims = _options.Claims;
        _typedClaims = new TypedClaims(
            [JwtRegisteredClaimNames.Exp, JwtRegisteredClaimNames.Nbf, JwtRegisteredClaimNames.Iat, claims.AuthTime, claims.Version],
            [claims.Subject, claims.Session, claims.TokenId]);
        _metrics = metrics;
        _logger = logger;
        _cache = new VerifiedTokenCache(_options.VerifiedTokenCacheSize, time);
        _refused = new RefusedTokenCache(Math.Min(_options.VerifiedTokenCacheSize, 10_000), time);
        _time = time;
        _issuers = new Dictionary<string, IssuerRuntime>(StringComparer.Ordinal);
        foreach (var keys in registry.All)
        {
            _issuers[keys.Issuer] = new IssuerRuntime(keys, CreateParameters(keys, _options));
        }
    }

    internal int CacheCount => _cache.Count;

    /// <summary>Verifies a token; never throws for any input.</summary>
    public ValueTask<TokenResult> VerifyAsync(string token, CancellationToken cancellationToken) => VerifyAsync(token.AsMemory(), cancellationToken);

    /// <summary>Verifies a token given as a slice (of a header value): a cached token costs no string allocation.</summary>
    public ValueTask<TokenResult> VerifyAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken)
    {
        if (token.Length > _options.MaxTokenSize)
        {
            return new(TokenResult.Fail(TokenReasons.TooLarge));
        }

        if (token.Length == 0)
        {
            return new(TokenResult.Fail(TokenReasons.Malformed));
        }

        var digest = VerifiedTokenCache.Digest(token.Span);
        if (_cache.TryGet(digest, _skewSeconds, out var cached))
        {
            _metrics.TokenCacheHit();
            return new(TokenResult.Ok(cached!));
        }

        if (_refused.TryGet(digest, out var refusedReason))
        {
            return new(TokenResult.Fail(refusedReason!));
        }

        _metrics.TokenCacheMiss();
        return VerifyUncachedAsync(token.ToString(), digest, cancellationToken);
    }

    /// <summary>Verifies without consulting or filling the cache (admin calls, back-channel logout).</summary>
    public async ValueTask<(TokenResult Result, JsonWebToken? Jwt)> VerifyFreshAsync(string token, IEnumerable<string>? validTypes, CancellationToken cancellationToken)
    {
        if (token.Length > _options.MaxTokenSize)
        {
            return (TokenResult.Fail(TokenReasons.TooLarge), null);
        }

        return await VerifyCoreAsync(token, validTypes, cancellationToken);
    }

    private async ValueTask<TokenResult> VerifyUncachedAsync(string token, UInt128 digest, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = GatewayActivitySource.Instance.StartActivity("gateway.token.verify");
        var (result, _) = await VerifyCoreAsync(token, null, cancellationToken);
        _metrics.TokenVerified(result.Reason, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        activity?.SetTag("gateway.outcome", result.IsValid ? "valid" : "invalid");
        if (result.Reason is not null)
        {
            activity?.SetTag("gateway.reason", result.Reason);
        }

        if (result.Token is { } verified)
        {
            _cache.Add(digest, verified);
        }
        else
        {
            _refused.Add(digest, result.Reason!);
        }

        return result;
    }

    private async ValueTask<(TokenResult, JsonWebToken?)> VerifyCoreAsync(string token, IEnumerable<string>? validTypes, CancellationToken cancellationToken)
    {
        switch (TokenShape.Check(token, _typedClaims))
        {
            case TokenShapeVerdict.Malformed:
                return (TokenResult.Fail(TokenReasons.Malformed), null);
            case TokenShapeVerdict.InvalidClaim:
                // The library would read "exp":"1700000000" or 1700000000.5 as a number, ["a","b"] as "a"; the gateway does not.
                return (TokenResult.Fail(TokenReasons.InvalidClaim), null);
        }

        JsonWebToken jwt;
        string? iss;
        string alg;
        try
        {
            jwt = new JsonWebToken(token);
            if (jwt.IsEncrypted)
            {
                return (TokenResult.Fail(TokenReasons.Malformed), null);
            }

            alg = jwt.Alg;
            iss = jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var issValue) ? issValue : null;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return (TokenResult.Fail(TokenReasons.Malformed), null);
        }

        if (iss is null || !_issuers.TryGetValue(iss, out var issuer))
        {
            return (TokenResult.Fail(TokenReasons.UnknownIssuer), null);
        }

        // Exact, case-sensitive membership: "none", "NONE" and "nOnE" are never in the list.
        if (alg is null || !issuer.Algorithms.Contains(alg))
        {
            return (TokenResult.Fail(TokenReasons.AlgorithmNotAllowed), null);
        }

        // The gateway understands no critical extension; b64=false (RFC 7797) changes what is signed. Key-carrying
        // headers are never trusted, so a token that relies on them is refused outright rather than half-honoured.
        foreach (var header in UntrustedHeaders)
        {
            if (jwt.TryGetHeaderValue<object>(header, out _))
            {
                return (TokenResult.Fail(TokenReasons.UnsupportedHeader), null);
            }
        }

        if (!TryReadNumericClaims(jwt, out var numbers))
        {
            return (TokenResult.Fail(TokenReasons.InvalidClaim), null);
        }

        // Lifetime before signature: an expired or not-yet-valid token is refused without an ECDSA/RSA verification.
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (numbers is { Exp: { } end, Nbf: { } start } && start > end)
        {
            return (TokenResult.Fail(TokenReasons.InvalidClaim), null);
        }

        if (numbers.Exp is { } expires && now > expires + _skewSeconds)
        {
            return (TokenResult.Fail(TokenReasons.Expired), null);
        }

        if (numbers.Nbf is { } notBefore && notBefore > now + _skewSeconds)
        {
            return (TokenResult.Fail(TokenReasons.NotYetValid), null);
        }

        // A logout token (OIDC back-channel) never passes as an access token, whatever the issuer's ValidTypes.
        if (validTypes is null && (string.Equals(jwt.Typ, "logout+jwt", StringComparison.OrdinalIgnoreCase) || jwt.TryGetPayloadValue<object>("events", out _)))
        {
            return (TokenResult.Fail(TokenReasons.InvalidType), null);
        }

        var kid = jwt.Kid;
        var key = issuer.Keys.Current.Find(kid, alg);
        if (key is null)
        {
            var refreshed = await issuer.Keys.RefreshForUnknownKidAsync(cancellationToken);
            key = refreshed.Find(kid, alg);
            if (key is null)
            {
                return (TokenResult.Fail(TokenReasons.UnknownKey), null);
            }
        }

        var parameters = issuer.Parameters;
        if (validTypes is not null)
        {
            parameters = parameters.Clone();
            parameters.ValidTypes = validTypes;
        }

        TokenValidationResult validation;
        try
        {
            validation = await _handler.ValidateTokenAsync(jwt, parameters);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or OverflowException or System.Security.Cryptography.CryptographicException)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.ValidationThrew(_logger, ex.GetType().Name);
            }

            return (TokenResult.Fail(TokenReasons.Invalid), null);
        }

        if (!validation.IsValid)
        {
            return (TokenResult.Fail(MapFailure(validation.Exception)), null);
        }

        var claims = _options.Claims;
        if (!jwt.TryGetPayloadValue<string>(claims.Subject, out var sub) || string.IsNullOrEmpty(sub))
        {
            return (TokenResult.Fail(TokenReasons.MissingClaim), null);
        }

        if (sub.Length > 256 || !IsPrintableAscii(sub))
        {
            return (TokenResult.Fail(TokenReasons.InvalidClaim), null);
        }

        if (numbers.Iat is null || numbers.Exp is null)
        {
            return (TokenResult.Fail(TokenReasons.MissingClaim), null);
        }

        if (!TryGetOptionalString(jwt, claims.Session, out var sid) || !TryGetOptionalString(jwt, claims.TokenId, out var jti))
        {
            return (TokenResult.Fail(TokenReasons.InvalidClaim), null);
        }

        // The configured issuer string, not the token's copy: one instance shared by every cached token.
        return (TokenResult.Ok(new VerifiedToken(issuer.Keys.Issuer, sub, sid, jti, numbers.Iat.Value, numbers.Exp.Value, numbers.AuthTime, numbers.Ver)), jwt);
    }

    private static readonly string[] UntrustedHeaders = ["crit", "b64", "jku", "x5u", "jwk", "x5c", "zip"];

    private readonly record struct NumericClaims(long? Exp, long? Nbf, long? Iat, long? AuthTime, long? Ver);

    private bool TryReadNumericClaims(JsonWebToken jwt, out NumericClaims numbers)
    {
        numbers = default;
        if (!TryGetInteger(jwt, JwtRegisteredClaimNames.Exp, out var exp) ||
            !TryGetInteger(jwt, JwtRegisteredClaimNames.Nbf, out var nbf) ||
            !TryGetInteger(jwt, JwtRegisteredClaimNames.Iat, out var iat) ||
            !TryGetInteger(jwt, _options.Claims.AuthTime, out var authTime) ||
            !TryGetInteger(jwt, _options.Claims.Version, out var ver))
        {
            return false;
        }

        numbers = new NumericClaims(exp, nbf, iat, authTime, ver);
        return true;
    }

    // NumericDate claims must be JSON integers in a sane range: strings, floats and huge numbers are refused.
    private static bool TryGetInteger(JsonWebToken jwt, string name, out long? value)
    {
        value = null;
        if (!jwt.TryGetClaim(name, out var claim))
        {
            return true;
        }

        if (claim.ValueType is not (ClaimValueTypes.Integer or ClaimValueTypes.Integer32 or ClaimValueTypes.Integer64))
        {
            return false;
        }

        if (!long.TryParse(claim.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ||
            parsed < 0 || parsed > TokenShape.MaxNumericDate)
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private static bool TryGetOptionalString(JsonWebToken jwt, string name, out string? value)
    {
        value = null;
        if (!jwt.TryGetClaim(name, out var claim))
        {
            return true;
        }

        if (claim.ValueType != ClaimValueTypes.String || string.IsNullOrEmpty(claim.Value) || claim.Value.Length > 256 || !IsPrintableAscii(claim.Value))
        {
            return false;
        }

        value = claim.Value;
        return true;
    }

    // sub, sid and jti become identity headers and store keys: control characters (CR/LF, NUL) and non-ASCII would
    // split or break a forwarded header (OIDC Core: sub is at most 255 ASCII characters).
    private static bool IsPrintableAscii(string value) => !value.AsSpan().ContainsAnyExceptInRange(' ', '~');

    internal static string MapFailure(Exception? ex) => ex switch
    {
        SecurityTokenExpiredException => TokenReasons.Expired,
        SecurityTokenNotYetValidException => TokenReasons.NotYetValid,
        SecurityTokenInvalidIssuerException => TokenReasons.UnknownIssuer,
        SecurityTokenInvalidAudienceException => TokenReasons.InvalidAudience,
        SecurityTokenSignatureKeyNotFoundException => TokenReasons.UnknownKey,
        SecurityTokenInvalidSignatureException => TokenReasons.InvalidSignature,
        SecurityTokenInvalidAlgorithmException => TokenReasons.AlgorithmNotAllowed,
        SecurityTokenInvalidTypeException => TokenReasons.InvalidType,
        SecurityTokenNoExpirationException => TokenReasons.MissingClaim,
        SecurityTokenInvalidLifetimeException => TokenReasons.InvalidClaim,
        SecurityTokenMalformedException => TokenReasons.Malformed,
        _ => TokenReasons.Invalid,
    };

    private static TokenValidationParameters CreateParameters(IssuerKeys keys, TokenOptions options)
    {
        var issuer = keys.Options;
        return new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidateIssuer = true,
            ValidAudiences = issuer.Audiences,
            ValidateAudience = true,
            ValidAlgorithms = issuer.Algorithms,
            ValidTypes = issuer.ValidTypes.Count > 0 ? issuer.ValidTypes : null,
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

    private sealed class IssuerRuntime(IssuerKeys keys, TokenValidationParameters parameters)
    {
        public IssuerKeys Keys { get; } = keys;
        public TokenValidationParameters Parameters { get; } = parameters;
        public HashSet<string> Algorithms { get; } = new(keys.Options.Algorithms, StringComparer.Ordinal);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Token validation threw {ExceptionType}; refused as invalid_token")]
        public static partial void ValidationThrew(ILogger logger, string exceptionType);
    }
}
