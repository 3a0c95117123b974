using Gateway.Gate.Refusals;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Gateway.Tokens;

namespace Gateway.FunctionalTests.Proxy;

/// <summary>The standard gateway plus a second, laxer issuer: HS256 in its allow-list, <c>typ</c> must be <c>at+jwt</c>.</summary>
public sealed class RefusalGateway : StandardGateway
{
    public const string LaxIssuer = "https://lax.test";

    protected override void Configure(GatewayConfig config) =>
        config.AddIssuer(LaxIssuer, [TokenFactory.Audience], ["ES256", "RS256", "HS256"], jwks: JwksDocument.Of(Rs256, Es256), validTypes: ["at+jwt"]);
}

/// <summary>
/// Every refusal through the real gateway: 401, an RFC 6750 challenge naming the reason, a problem+json body, and
/// the backend never sees the request.
/// </summary>
public sealed class RefusedTokenTests(RefusalGateway fixture) : IClassFixture<RefusalGateway>
{
    private static readonly TimeSpan Past = TimeSpan.FromMinutes(-10);

    public static TheoryData<string, string> Cases => new()
    {
        { "expired", Reasons.Expired.Code },
        { "expired-beyond-skew", Reasons.Expired.Code },
        { "not-yet-valid", Reasons.NotYetValid.Code },
        { "wrong-issuer", Reasons.UnknownIssuer.Code },
        { "no-issuer", Reasons.UnknownIssuer.Code },
        { "issuer-case", Reasons.UnknownIssuer.Code },
        { "wrong-audience", Reasons.InvalidAudience.Code },
        { "no-audience", Reasons.InvalidAudience.Code },
        { "alg-none", Reasons.AlgorithmNotAllowed.Code },
        { "alg-None", Reasons.AlgorithmNotAllowed.Code },
        { "alg-NONE", Reasons.AlgorithmNotAllowed.Code },
        { "alg-nOnE", Reasons.AlgorithmNotAllowed.Code },
        { "alg-none-signed", Reasons.AlgorithmNotAllowed.Code },
        { "alg-missing", Reasons.AlgorithmNotAllowed.Code },
        { "alg-lowercase-es256", Reasons.AlgorithmNotAllowed.Code },
        { "hs256-rsa-pem-not-allowed", Reasons.AlgorithmNotAllowed.Code },
        { "hs256-rsa-pem", Reasons.UnknownKey.Code },
        { "hs256-rsa-der", Reasons.UnknownKey.Code },
        { "hs256-rsa-modulus", Reasons.UnknownKey.Code },
        { "rs256-under-ec-kid", Reasons.UnknownKey.Code },
        { "stripped-signature", Reasons.InvalidSignature.Code },
        { "signature-of-other-token", Reasons.InvalidSignature.Code },
        { "tampered-payload", Reasons.InvalidSignature.Code },
        { "impostor-es256", Reasons.InvalidSignature.Code },
        { "impostor-rs256", Reasons.InvalidSignature.Code },
        { "impostor-ps256", Reasons.InvalidSignature.Code },
        { "unknown-kid", Reasons.UnknownKey.Code },
        { "embedded-jwk", Reasons.UnsupportedHeader.Code },
        { "embedded-jwk-known-kid", Reasons.UnsupportedHeader.Code },
        { "jku", Reasons.UnsupportedHeader.Code },
        { "x5u", Reasons.UnsupportedHeader.Code },
        { "x5c", Reasons.UnsupportedHeader.Code },
        { "crit-exp", Reasons.UnsupportedHeader.Code },
        { "crit-unknown", Reasons.UnsupportedHeader.Code },
        { "b64-false", Reasons.UnsupportedHeader.Code },
        { "exp-string", Reasons.InvalidClaim.Code },
        { "nbf-string", Reasons.InvalidClaim.Code },
        { "iat-string", Reasons.InvalidClaim.Code },
        { "exp-float", Reasons.InvalidClaim.Code },
        { "exp-huge", Reasons.InvalidClaim.Code },
        { "exp-negative", Reasons.InvalidClaim.Code },
        { "sid-number", Reasons.InvalidClaim.Code },
        { "no-exp", Reasons.MissingClaim.Code },
        { "no-sub", Reasons.MissingClaim.Code },
        { "no-iat", Reasons.MissingClaim.Code },
        { "typ-not-at-jwt", Reasons.InvalidType.Code },
        { "typ-missing-where-required", Reasons.InvalidType.Code },
        { "oversized", Reasons.TooLarge.Code },
        { "garbage-word", Reasons.Malformed.Code },
        { "garbage-dots", Reasons.Malformed.Code },
        { "garbage-two-parts", Reasons.Malformed.Code },
        { "garbage-four-parts", Reasons.Malformed.Code },
        { "garbage-not-base64", Reasons.Malformed.Code },
        { "garbage-header-not-json", Reasons.Malformed.Code },
        { "garbage-header-array", Reasons.Malformed.Code },
        { "garbage-payload-string", Reasons.Malformed.Code },
        { "garbage-deep-json", Reasons.Malformed.Code },
        { "duplicate-claim", Reasons.Malformed.Code },
        { "duplicate-header", Reasons.Malformed.Code },
        { "jwe-five-parts", Reasons.Malformed.Code },
        { "control-chars", Reasons.Malformed.Code },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Get_RefusedToken_Returns401WithReasonAndNeverForwards(string name, string reason)
    {
        var token = Build(name);
        var path = $"/api/refused/{name}";

        using var response = await fixture.Gateway.GetAsync(path, token);

        await Refusals.AssertInvalidTokenAsync(response, reason);
        Assert.Empty(fixture.Backend.RequestsTo(path));
        Assert.DoesNotContain(token, fixture.Gateway.Logs.AllText(), StringComparison.Ordinal);
    }

    public static TheoryData<string> MissingCases => ["none", "empty-bearer", "basic", "digest-like", "bearer-no-space"];

    [Theory]
    [MemberData(nameof(MissingCases))]
    public async Task Get_NoBearerToken_Returns401WithBareChallenge(string name)
    {
        var path = $"/api/missing/{name}";
        var headers = name switch
        {
            "none" => new Dictionary<string, string>(),
            "empty-bearer" => new() { ["Authorization"] = "Bearer " },
            "basic" => new() { ["Authorization"] = "Basic YWxpY2U6c2VjcmV0" },
            "digest-like" => new() { ["Authorization"] = "Token " + fixture.Token() },
            _ => new() { ["Authorization"] = "Bearer" + fixture.Token() },
        };

        using var response = await fixture.Gateway.GetAsync(path, headers: headers);

        await Refusals.AssertMissingTokenAsync(response);
        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    public static TheoryData<string> MalformedHeaderCases => ["two-tokens", "comma", "two-headers"];

    [Theory]
    [MemberData(nameof(MalformedHeaderCases))]
    public async Task Get_AmbiguousAuthorizationHeader_Returns401Malformed(string name)
    {
        var path = $"/api/ambiguous/{name}";
        var token = fixture.Token();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        switch (name)
        {
            case "two-tokens":
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token} {token}");
                break;
            case "comma":
                request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token},{token}");
                break;
            default:
                request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + token, "Bearer " + token]);
                break;
        }

        using var response = await fixture.Gateway.PublicClient.SendAsync(request);

        await Refusals.AssertInvalidTokenAsync(response, Reasons.Malformed.Code);
        Assert.Empty(fixture.Backend.RequestsTo(path));
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("BeArEr")]
    public async Task Get_BearerSchemeInAnyCase_Forwards(string scheme)
    {
        var path = $"/api/scheme/{scheme}";
        using var response = await fixture.Gateway.GetAsync(path, headers: new Dictionary<string, string> { ["Authorization"] = $"{scheme} {fixture.Token()}" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Backend.RequestsTo(path));
    }

    [Fact]
    public async Task Get_LaxIssuerTokenWithAtJwtType_Forwards()
    {
        // The positive control for the lax issuer's cases above: its keys, audience and typ are right.
        var token = TokenFactory.Mint(fixture.Rs256, issuer: RefusalGateway.LaxIssuer, typ: "at+jwt");

        using var response = await fixture.Gateway.GetAsync("/api/lax/ok", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(fixture.Backend.RequestsTo("/api/lax/ok"));
    }

    [Fact]
    public async Task Get_ManyRefusedTokens_NeverAnswers5xx()
    {
        var random = new Random(42);
        for (var i = 0; i < 50; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            var token = i % 2 == 0
                ? Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=')
                : TokenFactory.B64("{\"alg\":\"ES256\"}") + "." + Convert.ToBase64String(bytes).Replace('/', '_') + ".x";

            using var response = await fixture.Gateway.GetAsync("/api/fuzz", token);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Empty(fixture.Backend.RequestsTo("/api/fuzz"));
    }

    private string Build(string name)
    {
        var es = fixture.Es256;
        var rs = fixture.Rs256;
        var claims = TokenFactory.Claims().ToJsonString();
        string EsHeader(string extra = "") => $"{{\"alg\":\"ES256\",\"kid\":\"{es.Kid}\"{extra}}}";
        string WithClaim(string claim, JsonNode? value)
        {
            var payload = TokenFactory.Claims();
            payload[claim] = value;
            return TokenFactory.Sign(EsHeader(), payload.ToJsonString(), es);
        }

        string Signature(string token) => token[(token.LastIndexOf('.') + 1)..];

        using var attacker = TestKey.Es256("attacker");
        switch (name)
        {
            case "expired":
                return TokenFactory.Mint(es, iat: Past, nbf: Past, exp: TimeSpan.FromMinutes(-2));
            case "expired-beyond-skew":
                return TokenFactory.Mint(es, iat: Past, nbf: Past, exp: TimeSpan.FromSeconds(-45));
            case "not-yet-valid":
                return TokenFactory.Mint(es, nbf: TimeSpan.FromMinutes(2), exp: TimeSpan.FromMinutes(10));
            case "wrong-issuer":
                return TokenFactory.Mint(es, issuer: "https://evil.test");
            case "no-issuer":
                return TokenFactory.Mint(es, issuer: null);
            case "issuer-case":
                return TokenFactory.Mint(es, issuer: TokenFactory.Issuer.ToUpperInvariant());
            case "wrong-audience":
                return TokenFactory.Mint(es, audience: "other-api");
            case "no-audience":
                return TokenFactory.Mint(es, audience: null);
            case "alg-none":
            case "alg-None":
            case "alg-NONE":
            case "alg-nOnE":
                return TokenFactory.Unsigned($"{{\"alg\":\"{name[4..]}\",\"typ\":\"JWT\"}}", claims);
            case "alg-none-signed":
                return TokenFactory.Unsigned($"{{\"alg\":\"none\",\"kid\":\"{es.Kid}\"}}", claims, Signature(fixture.Token()));
            case "alg-missing":
                return TokenFactory.Sign($"{{\"kid\":\"{es.Kid}\"}}", claims, es);
            case "alg-lowercase-es256":
                return TokenFactory.Mint(es, alg: "es256");
            case "hs256-rsa-pem-not-allowed":
                // The standard issuer does not allow HS256 at all.
                return TokenFactory.SignHmac($"{{\"alg\":\"HS256\",\"kid\":\"{rs.Kid}\"}}", claims, Encoding.ASCII.GetBytes(rs.PublicKeyPem()));
            case "hs256-rsa-pem":
            case "hs256-rsa-der":
            case "hs256-rsa-modulus":
            {
                // The lax issuer allows HS256, but its kid names an RSA key: a key is only used within its family.
                var secret = name switch
                {
                    "hs256-rsa-pem" => Encoding.ASCII.GetBytes(rs.PublicKeyPem()),
                    "hs256-rsa-der" => rs.PublicKeyDer(),
                    _ => Encoding.ASCII.GetBytes(rs.PublicJwk()["n"]!.GetValue<string>()),
                };
                var payload = TokenFactory.Claims(issuer: RefusalGateway.LaxIssuer).ToJsonString();
                return TokenFactory.SignHmac($"{{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"{rs.Kid}\"}}", payload, secret);
            }

            case "rs256-under-ec-kid":
                return TokenFactory.Mint(rs, kid: es.Kid);
            case "stripped-signature":
                return TokenFactory.Unsigned(EsHeader(), claims);
            case "signature-of-other-token":
                return TokenFactory.Unsigned(EsHeader(), claims, Signature(fixture.Token("bob")));
            case "tampered-payload":
            {
                var parts = fixture.Token("bob").Split('.');
                return parts[0] + "." + TokenFactory.B64(TokenFactory.Claims("admin").ToJsonString()) + "." + parts[2];
            }

            case "impostor-es256":
            {
                using var impostor = es.Impostor();
                return TokenFactory.Mint(impostor);
            }

            case "impostor-rs256":
            {
                using var impostor = rs.Impostor();
                return TokenFactory.Mint(impostor);
            }

            case "impostor-ps256":
            {
                using var impostor = fixture.Ps256.Impostor();
                return TokenFactory.Mint(impostor);
            }

            case "unknown-kid":
                return TokenFactory.Mint(attacker);
            case "embedded-jwk":
                return TokenFactory.Mint(attacker, header: new Dictionary<string, object?> { ["jwk"] = attacker.PublicJwk() });
            case "embedded-jwk-known-kid":
                return TokenFactory.Mint(attacker, kid: es.Kid, header: new Dictionary<string, object?> { ["jwk"] = attacker.PublicJwk() });
            case "jku":
                return TokenFactory.Mint(attacker, kid: es.Kid, header: new Dictionary<string, object?> { ["jku"] = "https://evil.test/jwks.json" });
            case "x5u":
                return TokenFactory.Mint(es, header: new Dictionary<string, object?> { ["x5u"] = "https://evil.test/cert.pem" });
            case "x5c":
                return TokenFactory.Mint(es, header: new Dictionary<string, object?> { ["x5c"] = new JsonArray("MIIB") });
            case "crit-exp":
                return TokenFactory.Mint(es, header: new Dictionary<string, object?> { ["crit"] = new JsonArray("exp") });
            case "crit-unknown":
                return TokenFactory.Mint(es, header: new Dictionary<string, object?> { ["crit"] = new JsonArray("urn:x-critical"), ["urn:x-critical"] = true });
            case "b64-false":
                return TokenFactory.Mint(es, header: new Dictionary<string, object?> { ["b64"] = false, ["crit"] = new JsonArray("b64") });
            case "exp-string":
                return WithClaim("exp", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300).ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "nbf-string":
                return WithClaim("nbf", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "iat-string":
                return WithClaim("iat", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            case "exp-float":
                return WithClaim("exp", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300.5);
            case "exp-huge":
                return WithClaim("exp", JsonNode.Parse("1e300"));
            case "exp-negative":
                return WithClaim("exp", -1);
            case "sid-number":
                return WithClaim("sid", 42);
            case "no-exp":
                return TokenFactory.Mint(es, exp: TokenFactory.Omit);
            case "no-sub":
                return TokenFactory.Mint(es, sub: null);
            case "no-iat":
                return TokenFactory.Mint(es, iat: TokenFactory.Omit);
            case "typ-not-at-jwt":
                return TokenFactory.Mint(rs, issuer: RefusalGateway.LaxIssuer, typ: "JWT");
            case "typ-missing-where-required":
                return TokenFactory.Mint(rs, issuer: RefusalGateway.LaxIssuer);
            case "oversized":
                return TokenFactory.Mint(es, claims: new Dictionary<string, object?> { ["pad"] = new string('a', 9000) });
            case "garbage-word":
                return "garbage";
            case "garbage-dots":
                return "..";
            case "garbage-two-parts":
                return TokenFactory.B64(EsHeader()) + "." + TokenFactory.B64(claims);
            case "garbage-four-parts":
                return fixture.Token() + ".x";
            case "garbage-not-base64":
                return "eyJ!!!.eyJ???.abc";
            case "garbage-header-not-json":
                return TokenFactory.Sign("not json", claims, es);
            case "garbage-header-array":
                return TokenFactory.Sign("[\"ES256\"]", claims, es);
            case "garbage-payload-string":
                return TokenFactory.Sign(EsHeader(), "\"alice\"", es);
            case "garbage-deep-json":
                return TokenFactory.Sign(EsHeader(), "{\"a\":" + string.Concat(Enumerable.Repeat("[", 64)) + string.Concat(Enumerable.Repeat("]", 64)) + "}", es);
            case "duplicate-claim":
                return TokenFactory.Sign(EsHeader(), claims.TrimEnd('}') + ",\"sub\":\"admin\"}", es);
            case "duplicate-header":
                return TokenFactory.Sign($"{{\"alg\":\"ES256\",\"kid\":\"{es.Kid}\",\"alg\":\"none\"}}", claims, es);
            case "jwe-five-parts":
                return TokenFactory.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".a.b.c.d";
            case "control-chars":
                return fixture.Token()[..20] + "\u0001" + fixture.Token()[21..];
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case");
        }
    }
}
