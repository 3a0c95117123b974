using Gateway.Testing.Attacks;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Gateway.Gate.ProofOfPossession;

using Gateway.Testing;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class DpopProofValidatorTests
{
    private static readonly DpopProofValidator Validator = ProofBuilder.Validator();

    private static DpopProofResult Validate(ProofBuilder proof, string method = ProofBuilder.Method, string htu = ProofBuilder.Htu,
        string accessToken = ProofBuilder.AccessToken, string? jkt = null, DateTimeOffset? now = null, IDpopNonceCheck? nonces = null, DpopProofValidator? validator = null) =>
        (validator ?? Validator).Validate(proof.Build(), method, htu, accessToken, jkt ?? proof.Jkt, now ?? ProofBuilder.Now, nonces);

    private static void AssertRefused(string reason, DpopProofResult result)
    {
        Assert.Equal(reason, result.Reason);
        Assert.False(result.IsValid);
        Assert.Null(result.Jti);
        Assert.Null(result.Thumbprint);
    }

    public static TheoryData<string> Keys => ["ES256", "ES384", "RS256", "PS256"];

    private static TestKey Key(string alg) => alg switch
    {
        "ES256" => TestKey.SharedEs256,
        "RS256" => TestKey.SharedRs256,
        "PS256" => TestKey.SharedPs256,
        _ => SharedEs384,
    };

    private static readonly TestKey SharedEs384 = TestKey.Es384("shared-es384");

    [Theory]
    [MemberData(nameof(Keys))]
    public void Validate_WellFormedProof_ValidWithJtiIatAndThumbprint(string alg)
    {
        var proof = ProofBuilder.For(Key(alg));

        var result = Validate(proof);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(proof.Payload["jti"]!.GetValue<string>(), result.Jti);
        Assert.Equal(ProofBuilder.Now.ToUnixTimeSeconds(), result.Iat);
        Assert.Equal(proof.Jkt, result.Thumbprint);
    }

    [Fact]
    public void Validate_Rfc9449AthExample_Valid()
    {
        // RFC 9449 §7.1: this access token's ath.
        const string token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["ath"] = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");

        Assert.True(Validate(proof, accessToken: token).IsValid);
    }

    [Fact]
    public void Validate_NoAccessTokenAndNoAth_Valid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload.Remove("ath"));

        Assert.True(Validate(proof, accessToken: string.Empty).IsValid);
    }

    [Fact]
    public void Validate_NoExpectedJkt_ValidAndReportsTheThumbprint()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256);

        var result = Validator.Validate(proof.Build(), ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, null, ProofBuilder.Now);

        Assert.True(result.IsValid);
        Assert.Equal(proof.Jkt, result.Thumbprint);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("get")]
    [InlineData("HEAD")]
    public void Validate_OtherMethod_HtmMismatch(string method)
    {
        AssertRefused(DpopReasons.HtmMismatch, Validate(ProofBuilder.For(TestKey.SharedEs256), method: method));
    }

    [Theory]
    [InlineData("https://api.example.com/payments")]
    [InlineData("https://evil.example.com/orders")]
    [InlineData("http://api.example.com/orders")]
    [InlineData("https://api.example.com:8443/orders")]
    [InlineData("https://api.example.com/orders/")]
    [InlineData("https://api.example.com/Orders")]
    public void Validate_ProofForAnotherUri_HtuMismatch(string claimed)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["htu"] = claimed);

        AssertRefused(DpopReasons.HtuMismatch, Validate(proof));
    }

    [Theory]
    [InlineData("https://api.example.com/orders?page=2")]
    [InlineData("https://api.example.com/orders#top")]
    [InlineData("HTTPS://API.Example.COM/orders")]
    [InlineData("https://api.example.com:443/orders")]
    [InlineData("https://api.example.com/./orders")]
    public void Validate_SameUriSpelledOtherwise_Valid(string claimed)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["htu"] = claimed);

        Assert.True(Validate(proof).IsValid);
    }

    [Fact]
    public void Validate_AthOfAnotherToken_AthMismatch()
    {
        AssertRefused(DpopReasons.AthMismatch, Validate(ProofBuilder.For(TestKey.SharedEs256), accessToken: "another.access.token"));
    }

    [Fact]
    public void Validate_AthMissingWhileATokenIsPresented_AthMismatch()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload.Remove("ath"));

        AssertRefused(DpopReasons.AthMismatch, Validate(proof));
    }

    [Theory]
    [InlineData(-61, DpopReasons.ProofStale)]
    [InlineData(-3600, DpopReasons.ProofStale)]
    [InlineData(6, DpopReasons.ProofFuture)]
    [InlineData(86_400, DpopReasons.ProofFuture)]
    public void Validate_IatOutsideTheWindow_Refused(int offset, string reason)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["iat"] = ProofBuilder.Now.ToUnixTimeSeconds() + offset);

        AssertRefused(reason, Validate(proof));
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(0)]
    [InlineData(5)]
    public void Validate_IatAtTheWindowsEdges_Valid(int offset)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["iat"] = ProofBuilder.Now.ToUnixTimeSeconds() + offset);

        Assert.True(Validate(proof).IsValid);
    }

    [Fact]
    public void Validate_ConfiguredWindow_Honoured()
    {
        var validator = ProofBuilder.Validator(o => o.IatWindow = TimeSpan.FromSeconds(10));
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["iat"] = ProofBuilder.Now.ToUnixTimeSeconds() - 11);

        AssertRefused(DpopReasons.ProofStale, Validate(proof, validator: validator));
    }

    [Theory]
    [InlineData("d")]
    [InlineData("p")]
    [InlineData("q")]
    [InlineData("dp")]
    [InlineData("dq")]
    [InlineData("qi")]
    [InlineData("k")]
    [InlineData("oth")]
    public void Validate_JwkWithPrivateMember_JwkPrivate(string member)
    {
        var proof = ProofBuilder.For(TestKey.SharedRs256).With(p => p.Header["jwk"]![member] = "AQAB");

        AssertRefused(DpopReasons.JwkPrivate, Validate(proof));
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public void Validate_SymmetricAlgWithOctJwk_AlgorithmNotAllowed(string alg)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p =>
        {
            p.Header["alg"] = alg;
            p.Header["jwk"] = new JsonObject { ["kty"] = "oct" };
            p.Signer = Jose.Hs256(secret);
        });

        AssertRefused(DpopReasons.AlgorithmNotAllowed, Validate(proof));
    }

    [Fact]
    public void Validate_AsymmetricAlgWithOctJwk_JwkInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["jwk"] = new JsonObject { ["kty"] = "oct", ["use"] = "sig" });

        AssertRefused(DpopReasons.JwkInvalid, Validate(proof));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("")]
    [InlineData("EdDSA")]
    [InlineData("ES256K")]
    public void Validate_AlgNoneOrUnsupported_AlgorithmNotAllowed(string alg)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p =>
        {
            p.Header["alg"] = alg;
            p.Signer = _ => [1, 2, 3];
        });

        AssertRefused(DpopReasons.AlgorithmNotAllowed, Validate(proof));
    }

    [Fact]
    public void Validate_AlgNoneWithEmptySignature_ProofInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p =>
        {
            p.Header["alg"] = "none";
            p.Signer = Jose.Unsigned;
        });

        AssertRefused(DpopReasons.ProofInvalid, Validate(proof));
    }

    [Fact]
    public void Validate_AlgMissingOrNotAString_AlgorithmNotAllowed()
    {
        AssertRefused(DpopReasons.AlgorithmNotAllowed, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header.Remove("alg"))));
        AssertRefused(DpopReasons.AlgorithmNotAllowed, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["alg"] = 256)));
    }

    [Fact]
    public void Validate_AlgOutsideTheConfiguredList_AlgorithmNotAllowed()
    {
        var validator = ProofBuilder.Validator(o => o.Algorithms = ["ES256"]);

        AssertRefused(DpopReasons.AlgorithmNotAllowed, Validate(ProofBuilder.For(TestKey.SharedRs256), validator: validator));
        Assert.True(Validate(ProofBuilder.For(TestKey.SharedEs256), validator: validator).IsValid);
    }

    [Fact]
    public void Validate_KeyOtherThanTheTokensCnf_KeyMismatch()
    {
        using var other = TestKey.Es256();

        AssertRefused(DpopReasons.KeyMismatch, Validate(ProofBuilder.For(TestKey.SharedEs256), jkt: ProofBuilder.Thumbprint(other)));
    }

    [Theory]
    [InlineData("jwt")]
    [InlineData("at+jwt")]
    [InlineData("dpop")]
    [InlineData("application/dpop+jwt")]
    public void Validate_WrongTyp_TypeInvalid(string typ)
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["typ"] = typ);

        AssertRefused(DpopReasons.TypeInvalid, Validate(proof));
    }

    [Fact]
    public void Validate_TypMissing_TypeInvalid()
    {
        AssertRefused(DpopReasons.TypeInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header.Remove("typ"))));
    }

    [Fact]
    public void Validate_TypInOtherCase_Valid()
    {
        // A media type is case-insensitive (RFC 7515 §4.1.9).
        Assert.True(Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["typ"] = "DPoP+JWT")).IsValid);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void Validate_SignedByAnotherKeyThanTheJwk_SignatureInvalid(string alg)
    {
        using var impostor = Key(alg).Impostor();
        var proof = ProofBuilder.For(Key(alg)).With(p => p.Signer = impostor.Sign);

        AssertRefused(DpopReasons.SignatureInvalid, Validate(proof));
    }

    [Fact]
    public void Validate_PayloadChangedAfterSigning_SignatureInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).Build();
        var parts = proof.Split('.');
        var payload = JsonNode.Parse(Convert.FromBase64String(parts[1].Replace('-', '+').Replace('_', '/') + new string('=', (4 - parts[1].Length % 4) % 4)))!;
        payload["jti"] = "another";
        var tampered = parts[0] + "." + Jose.B64(payload.ToJsonString()) + "." + parts[2];

        var result = Validator.Validate(tampered, ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, null, ProofBuilder.Now);

        AssertRefused(DpopReasons.SignatureInvalid, result);
    }

    [Fact]
    public void Validate_EcSignatureInDerForm_SignatureInvalid()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ecdsa.ExportParameters(false);
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(b =>
        {
            b.Header["jwk"] = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Jose.B64(p.Q.X!), ["y"] = Jose.B64(p.Q.Y!) };
            b.Signer = data => ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        });

        AssertRefused(DpopReasons.SignatureInvalid, Validate(proof, jkt: JwkThumbprint.TryCompute(proof.Header["jwk"]!.ToJsonString(), out var t) ? t : null));
    }

    [Fact]
    public void Validate_EcPointNotOnTheCurve_SignatureInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(b => b.Header["jwk"]!["y"] = Jose.B64(new byte[32]));
        var jkt = JwkThumbprint.TryCompute(proof.Header["jwk"]!.ToJsonString(), out var t) ? t : null;

        AssertRefused(DpopReasons.SignatureInvalid, Validate(proof, jkt: jkt));
    }

    [Fact]
    public void Validate_ProofOverTheSizeLimit_TooLarge()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["padding"] = new string('a', 8192));

        AssertRefused(DpopReasons.ProofTooLarge, Validate(proof));
    }

    [Fact]
    public void Validate_ConfiguredSizeLimit_Honoured()
    {
        var validator = ProofBuilder.Validator(o => o.MaxProofSize = 1024);
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["padding"] = new string('a', 700));

        AssertRefused(DpopReasons.ProofTooLarge, Validate(proof, validator: validator));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_NoProof_ProofMissing(string? proof)
    {
        AssertRefused(DpopReasons.ProofMissing, Validator.Validate(proof, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, "jkt", ProofBuilder.Now));
    }

    [Theory]
    [InlineData("header", """{"typ":"dpop+jwt","alg":"ES256","alg":"none","jwk":JWK}""")]
    [InlineData("header", """{"typ":"dpop+jwt","alg":"ES256","jwk":JWK,"jwk":{"kty":"EC"}}""")]
    [InlineData("payload", """{"jti":"a","htm":"GET","htm":"POST","htu":"HTU","iat":IAT,"ath":"ATH"}""")]
    [InlineData("payload", """{"jti":"a","jti":"b","htm":"GET","htu":"HTU","iat":IAT,"ath":"ATH"}""")]
    public void Validate_DuplicateMembers_ProofInvalid(string part, string json)
    {
        var builder = ProofBuilder.For(TestKey.SharedEs256);
        var header = builder.Header.ToJsonString();
        var payload = builder.Payload.ToJsonString();
        var text = json.Replace("JWK", builder.Header["jwk"]!.ToJsonString(), StringComparison.Ordinal)
            .Replace("HTU", ProofBuilder.Htu, StringComparison.Ordinal)
            .Replace("IAT", ProofBuilder.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("ATH", ProofBuilder.Ath(ProofBuilder.AccessToken), StringComparison.Ordinal);
        var proof = part == "header" ? Jose.Sign(text, payload, builder.Signer) : Jose.Sign(header, text, builder.Signer);

        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(proof, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, builder.Jkt, ProofBuilder.Now));
    }

    [Fact]
    public void Validate_DuplicateMemberInsideTheJwk_ProofInvalid()
    {
        var builder = ProofBuilder.For(TestKey.SharedEs256);
        var jwk = builder.Header["jwk"]!.ToJsonString();
        var header = builder.Header.ToJsonString().Replace(jwk, jwk[..^1] + ",\"x\":\"AAAA\"}", StringComparison.Ordinal);

        var proof = Jose.Sign(header, builder.Payload.ToJsonString(), builder.Signer);

        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(proof, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, builder.Jkt, ProofBuilder.Now));
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData(".b.c")]
    [InlineData("a..c")]
    [InlineData("a.b.")]
    [InlineData("a b.c.d")]
    [InlineData("a=.b.c")]
    [InlineData("a+/.b.c")]
    [InlineData("....")]
    public void Validate_NotACompactJws_ProofInvalid(string proof)
    {
        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(proof, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, "jkt", ProofBuilder.Now));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("{}x")]
    public void Validate_HeaderNotAJsonObject_ProofInvalid(string header)
    {
        var builder = ProofBuilder.For(TestKey.SharedEs256);
        var proof = Jose.Sign(header, builder.Payload.ToJsonString(), builder.Signer);

        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(proof, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, builder.Jkt, ProofBuilder.Now));
    }

    [Fact]
    public void Validate_PaddedOrNonCanonicalBase64_ProofInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).Build();
        var parts = proof.Split('.');
        var signature = parts[2];
        // 64 signature bytes: 86 characters, the last carrying 4 unused bits.
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var bent = signature[..^1] + alphabet[alphabet.IndexOf(signature[^1], StringComparison.Ordinal) | 1];

        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(parts[0] + "=." + parts[1] + "." + signature, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, null, ProofBuilder.Now));
        AssertRefused(DpopReasons.SignatureInvalid, Validator.Validate(parts[0] + "." + parts[1] + "." + bent, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, null, ProofBuilder.Now));
    }

    [Theory]
    [InlineData("jti")]
    [InlineData("htm")]
    [InlineData("htu")]
    [InlineData("iat")]
    public void Validate_RequiredClaimMissing_ProofInvalid(string claim)
    {
        AssertRefused(DpopReasons.ProofInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload.Remove(claim))));
    }

    [Theory]
    [InlineData("iat", "\"1800000000\"")]
    [InlineData("iat", "1800000000.5")]
    [InlineData("iat", "-1")]
    [InlineData("jti", "42")]
    [InlineData("jti", "\"\"")]
    [InlineData("htm", "[\"GET\"]")]
    [InlineData("htu", "null")]
    public void Validate_ClaimOfTheWrongType_ProofInvalid(string claim, string json)
    {
        AssertRefused(DpopReasons.ProofInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload[claim] = JsonNode.Parse(json))));
    }

    [Fact]
    public void Validate_JtiTooLong_ProofInvalid()
    {
        AssertRefused(DpopReasons.ProofInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["jti"] = new string('j', 257))));
    }

    [Fact]
    public void Validate_CritHeader_ProofInvalid()
    {
        AssertRefused(DpopReasons.ProofInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["crit"] = new JsonArray("b64"))));
    }

    [Fact]
    public void Validate_JwkMissing_JwkInvalid()
    {
        AssertRefused(DpopReasons.JwkInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header.Remove("jwk")), jkt: "any"));
    }

    [Theory]
    [InlineData("ES256", "RS256")]
    [InlineData("RS256", "ES256")]
    [InlineData("ES384", "ES256")]
    [InlineData("ES256", "ES384")]
    public void Validate_KeyTypeNotOfTheAlg_JwkInvalid(string keyAlg, string headerAlg)
    {
        var proof = ProofBuilder.For(Key(keyAlg)).With(p => p.Header["alg"] = headerAlg);

        AssertRefused(DpopReasons.JwkInvalid, Validate(proof));
    }

    [Fact]
    public void Validate_JwkNamingAnotherAlg_JwkInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedRs256).With(p => p.Header["jwk"]!["alg"] = "PS256");

        AssertRefused(DpopReasons.JwkInvalid, Validate(proof));
    }

    [Fact]
    public void Validate_JwkForEncryption_JwkInvalid()
    {
        AssertRefused(DpopReasons.JwkInvalid, Validate(ProofBuilder.For(TestKey.SharedEs256).With(p => p.Header["jwk"]!["use"] = "enc")));
    }

    [Fact]
    public void Validate_RsaKeyUnder2048Bits_JwkInvalid()
    {
        using var rsa = RSA.Create(1024);
        var p = rsa.ExportParameters(false);
        var proof = ProofBuilder.For(TestKey.SharedRs256).With(b =>
        {
            b.Header["jwk"] = new JsonObject { ["kty"] = "RSA", ["n"] = Jose.B64(p.Modulus!), ["e"] = Jose.B64(p.Exponent!) };
            b.Signer = Jose.Rs256(rsa);
        });

        AssertRefused(DpopReasons.JwkInvalid, Validate(proof, jkt: "any"));
    }

    [Fact]
    public void Validate_NoncesOnAndNoNonce_NonceRequired()
    {
        var nonces = Nonces();

        AssertRefused(DpopReasons.NonceRequired, Validate(ProofBuilder.For(TestKey.SharedEs256), nonces: nonces));
    }

    [Fact]
    public void Validate_NoncesOnAndAForgedNonce_NonceInvalid()
    {
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["nonce"] = Jose.B64(RandomNumberGenerator.GetBytes(32)));

        AssertRefused(DpopReasons.NonceInvalid, Validate(proof, nonces: Nonces()));
    }

    [Fact]
    public void Validate_NoncesOnAndAnIssuedNonce_Valid()
    {
        var nonces = Nonces();
        var proof = ProofBuilder.For(TestKey.SharedEs256).With(p => p.Payload["nonce"] = nonces.Issue(ProofBuilder.Now));

        Assert.True(Validate(proof, nonces: nonces).IsValid);
    }

    [Fact]
    public void Validate_InvalidUtf8InsideAString_ProofInvalid()
    {
        var builder = ProofBuilder.For(TestKey.SharedEs256);
        var payload = System.Text.Encoding.UTF8.GetBytes(builder.Payload.ToJsonString().Replace("\"jti\":\"", "\"jti\":\"\u00C6", StringComparison.Ordinal));
        var bad = payload.AsSpan().IndexOf((byte)0xC3);
        Assert.True(bad >= 0);
        payload[bad + 1] = 0x28;
        var proof = Jose.SignEncoded(Jose.B64(builder.Header.ToJsonString()), Jose.B64(payload), builder.Signer);

        AssertRefused(DpopReasons.ProofInvalid, Validator.Validate(proof, ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, builder.Jkt, ProofBuilder.Now));
    }

    [Fact]
    public void Validate_ThrowsForNoInput()
    {
        var inputs = new List<string> { "\u0000", "é.é.é", new('.', 3), "e30.e30.e30", "e30.e30.AA", "eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.AA" };
        foreach (var input in inputs)
        {
            Assert.False(Validator.Validate(input, "GET", ProofBuilder.Htu, ProofBuilder.AccessToken, "jkt", ProofBuilder.Now).IsValid);
        }
    }

    [Fact]
    public void Validate_RandomlyMutatedProofs_RefusedWithoutThrowing()
    {
        var builder = ProofBuilder.For(TestKey.SharedEs256);
        var proof = builder.Build();
        var random = new Random(9449);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
        for (var i = 0; i < 2000; i++)
        {
            var chars = proof.ToCharArray();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            var mutated = new string(chars);
            var result = Validator.Validate(mutated, ProofBuilder.Method, ProofBuilder.Htu, ProofBuilder.AccessToken, builder.Jkt, ProofBuilder.Now);
            Assert.True(mutated == proof || !result.IsValid, mutated);
        }
    }

    private static DpopNonceService Nonces() => new(RandomNumberGenerator.GetBytes(32), TimeSpan.FromSeconds(30));
}
