using System.Text.Json;
using Gateway.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Signals;

/// <summary>
/// Verifies Security Event Tokens (RFC 8417) from configured transmitters: shape, <c>iss</c>, <c>alg</c> allow-list,
/// untrusted headers, <c>typ</c> <c>secevent+jwt</c>, the key its <c>kid</c> names (an unknown kid refetches, rate
/// limited), signature, <c>aud</c>, <c>iat</c> within <see cref="SignalsOptions.MaxSetAge"/>, <c>jti</c>, and an
/// <c>events</c> object. Errors are RFC 8935 §2.3 codes. Never throws for any input.
/// </summary>
internal sealed class SetVerifier
{
    public const int MaxSetSize = 64 * 1024;

    private static readonly string[] UntrustedHeaders = ["crit", "b64", "jku", "x5u", "jwk", "x5c", "zip"];

    private readonly Dictionary<string, Transmitter> _transmitters = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TimeProvider _time;
    private readonly long _skew;
    private readonly long _maxAge;

    public SetVerifier(IOptions<SignalsOptions> options, IOptions<TokenOptions> tokens, JwtVerifier verifier, IHttpClientFactory httpClientFactory,
        TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        _skew = (long)tokens.Value.ClockSkew.TotalSeconds;
        _maxAge = (long)options.Value.MaxSetAge.TotalSeconds;
        var logger = loggers.CreateLogger<SetVerifier>();
        foreach (var t in options.Value.Transmitters)
        {
            var issuer = verifier.Find(t.Issuer!)!;
            var keys = t.JwksUri is null
                ? issuer.Keys
                : new IssuerKeys(new IssuerOptions { Issuer = t.Issuer, JwksUri = t.JwksUri, Algorithms = t.Algorithms.Count > 0 ? t.Algorithms : [.. issuer.Algorithms] }, httpClientFactory, time, logger);
            _transmitters[t.Issuer!] = new Transmitter(t, keys, t.Algorithms.Count > 0 ? t.Algorithms : issuer.Algorithms, tokens.Value.ClockSkew);
        }
    }

    public IReadOnlyCollection<Transmitter> Transmitters => _transmitters.Values;

    public bool Enabled => _transmitters.Count > 0;

    public async Task<SetResult> VerifyAsync(string set, CancellationToken cancellationToken)
    {
        if (set.Length > MaxSetSize)
        {
            return SetResult.Fail("invalid_request", "the SET is larger than 64 KiB");
        }

        JsonWebToken jwt;
        string? iss;
        try
        {
            jwt = new JsonWebToken(set);
            if (jwt.IsEncrypted)
            {
                return SetResult.Fail("invalid_request", "encrypted SETs are not accepted");
            }

            iss = jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Iss, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or JsonException)
        {
            return SetResult.Fail("invalid_request", "the body is not a signed JWT");
        }

        if (iss is null || !_transmitters.TryGetValue(iss, out var transmitter))
        {
            return SetResult.Fail("invalid_issuer", "iss is not a configured transmitter");
        }

        if (jwt.Alg is not { } alg || !transmitter.Algorithms.Contains(alg))
        {
            return SetResult.Fail("invalid_request", "alg is not on the transmitter's allow-list");
        }

        foreach (var header in UntrustedHeaders)
        {
            if (jwt.TryGetHeaderValue<object>(header, out _))
            {
                return SetResult.Fail("invalid_request", $"the {header} header is not accepted");
            }
        }

        // RFC 8417 §2.3 and SSF 1.0: explicit typing, so a SET is never taken for another kind of JWT.
        if (jwt.Typ is not { } typ || !(typ.Equals("secevent+jwt", StringComparison.OrdinalIgnoreCase) || typ.Equals("application/secevent+jwt", StringComparison.OrdinalIgnoreCase)))
        {
            return SetResult.Fail("invalid_request", "typ must be secevent+jwt");
        }

        if (transmitter.Keys.Current.Find(jwt.Kid, alg) is null)
        {
            var refreshed = await transmitter.Keys.RefreshForUnknownKidAsync(cancellationToken);
            if (refreshed.Find(jwt.Kid, alg) is null)
            {
                // No keys in hand at all (the JWKS could not be fetched yet): a retry may succeed, a refusal would lose the SET.
                return refreshed.Count == 0
                    ? SetResult.Fail(SetResult.KeysUnavailable, "the transmitter's keys could not be fetched")
                    : SetResult.Fail("invalid_key", "no key of the transmitter matches the SET's kid and alg");
            }
        }

        TokenValidationResult validation;
        try
        {
            validation = await _handler.ValidateTokenAsync(jwt, transmitter.Parameters);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or OverflowException or System.Security.Cryptography.CryptographicException)
        {
            return SetResult.Fail("invalid_key", "the SET's signature could not be verified");
        }

        if (!validation.IsValid)
        {
            return validation.Exception switch
            {
                SecurityTokenInvalidAudienceException => SetResult.Fail("invalid_audience", "aud is not this receiver's audience"),
                SecurityTokenInvalidIssuerException => SetResult.Fail("invalid_issuer", "iss is not a configured transmitter"),
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => SetResult.Fail("invalid_key", "the SET's signature does not verify"),
                _ => SetResult.Fail("invalid_request", "the SET was refused"),
            };
        }

        return Read(jwt, transmitter);
    }

    private SetResult Read(JsonWebToken jwt, Transmitter transmitter)
    {
        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return SetResult.Fail("invalid_request", "the payload is not JSON");
        }

        using (payload)
        {
            var root = payload.RootElement;
            if (!root.TryGetProperty("jti", out var jtiElement) || jtiElement.ValueKind != JsonValueKind.String || !ClaimIds.IsValid(jtiElement.GetString()!))
            {
                return SetResult.Fail("invalid_request", $"jti must be {ClaimIds.Rule}");
            }

            if (!root.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number || !iatElement.TryGetInt64(out var iat))
            {
                return SetResult.Fail("invalid_request", "iat must be a JSON integer");
            }

            var now = _time.GetUtcNow().ToUnixTimeSeconds();
            if (iat > now + _skew || now - iat > _maxAge + _skew)
            {
                return SetResult.Fail("invalid_request", "iat is not within the accepted window");
            }

            if (!root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object)
            {
                return SetResult.Fail("invalid_request", "events must be a JSON object");
            }

            JsonElement? subjectId = root.TryGetProperty("sub_id", out var subId) && subId.ValueKind == JsonValueKind.Object ? subId.Clone() : null;
            var list = new List<SecurityEvent>();
            foreach (var member in events.EnumerateObject())
            {
                if (member.Value.ValueKind != JsonValueKind.Object)
                {
                    return SetResult.Fail("invalid_request", "every member of events must be a JSON object");
                }

                list.Add(new SecurityEvent(member.Name, member.Value.Clone(), subjectId));
            }

            if (list.Count == 0)
            {
                return SetResult.Fail("invalid_request", "events is empty");
            }

            return SetResult.Ok(new SecurityEventToken(transmitter, jtiElement.GetString()!, iat, list));
        }
    }
}
