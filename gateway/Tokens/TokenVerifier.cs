using Gateway.Gate.Refusals;
using Gateway.Telemetry;
using Microsoft.Extensions.Options;

namespace Gateway.Tokens;

/// <summary>
/// The gate's token check: a token verified before is answered from the recent tokens (no digest) or the verified-token
/// cache (no signature check) as long as the key that verified it is still in its issuer's set, a token refused for its own bytes from the
/// refused-token cache, and anything else by <see cref="JwtVerifier"/>.
/// </summary>
internal sealed class TokenVerifier
{
    private readonly JwtVerifier _jwt;
    private readonly RecentTokens _recent;
    private readonly VerifiedTokenCache _cache;
    private readonly RefusedTokenCache _refused;
    private readonly TokenOptions _options;
    private readonly long _skewSeconds;
    private readonly GatewayMetrics _metrics;

    public TokenVerifier(JwtVerifier jwt, IOptions<TokenOptions> options, TimeProvider time, GatewayMetrics metrics)
    {
        _jwt = jwt;
        _options = options.Value;
        _skewSeconds = (long)_options.ClockSkew.TotalSeconds;
        _metrics = metrics;
        _recent = new RecentTokens(_options.VerifiedTokenCacheSize, time);
        _cache = new VerifiedTokenCache(_options.VerifiedTokenCacheSize, time);
        _refused = new RefusedTokenCache(Math.Min(_options.VerifiedTokenCacheSize, 10_000), time);
    }

    internal int CacheCount => _cache.Count;

    /// <summary>Verifies a token; never throws for any input.</summary>
    public ValueTask<TokenResult> VerifyAsync(string token, CancellationToken cancellationToken) => VerifyAsync(token.AsMemory(), cancellationToken);

    /// <summary>Verifies a token given as a slice (of a header value): a cached token costs no string allocation.</summary>
    public ValueTask<TokenResult> VerifyAsync(ReadOnlyMemory<char> token, CancellationToken cancellationToken)
    {
        if (token.Length > _options.MaxTokenSize)
        {
            return new(TokenResult.Fail(Reasons.TooLarge));
        }

        if (token.Length == 0)
        {
            return new(TokenResult.Fail(Reasons.Malformed));
        }

        if (_recent.TryGet(token, _skewSeconds, out var recent) && KeyStillPublished(recent))
        {
            _metrics.TokenCacheHit();
            return new(TokenResult.Ok(recent));
        }

        var digest = VerifiedTokenCache.Digest(token.Span);
        if (_cache.TryGet(digest, _skewSeconds, out var cached) && KeyStillPublished(cached!))
        {
            _metrics.TokenCacheHit();
            _recent.Remember(token, cached!);
            return new(TokenResult.Ok(cached!));
        }

        if (_refused.TryGet(digest, out var refusedReason))
        {
            return new(TokenResult.Fail(refusedReason!));
        }

        _metrics.TokenCacheMiss();
        return VerifyUncachedAsync(token, digest, cancellationToken);
    }

    /// <summary>Verifies without consulting or filling the caches (admin calls).</summary>
    public ValueTask<TokenResult> VerifyFreshAsync(string token, CancellationToken cancellationToken) => _jwt.VerifyAccessTokenAsync(token, cancellationToken);

    // A key that left the JWKS takes every token it signed with it, also those verified before.
    private bool KeyStillPublished(VerifiedToken token)
    {
        if (token.VerifiedBy is not { } key || token.IssuerKeys is not { } keys)
        {
            return false;
        }

        var current = keys.Current;
        return current.Version == token.KeySetVersion || current.Contains(key);
    }

    private async ValueTask<TokenResult> VerifyUncachedAsync(ReadOnlyMemory<char> token, UInt128 digest, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = GatewayActivitySource.Instance.StartActivity("gateway.token.verify");
        var result = await _jwt.VerifyAccessTokenAsync(token, cancellationToken);
        _metrics.TokenVerified(result.Reason, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        activity?.SetTag("gateway.outcome", result.IsValid ? "valid" : "invalid");
        if (result.Reason is not null)
        {
            activity?.SetTag("gateway.reason", result.Reason);
        }

        if (result.Token is { } verified)
        {
            _cache.Add(digest, verified);
            _recent.Remember(token, verified);
        }
        else
        {
            _refused.Add(digest, result.Refusal!);
        }

        return result;
    }
}
