using Gateway.Gate.Refusals;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tokens;

namespace Gateway.Testing.Attacks;

/// <summary>One hostile request: its Authorization header value(s) and the refusal reason expected for it.</summary>
public sealed record AttackCase(string Name, string[] Authorization, string Reason)
{
    /// <summary>The bearer token, when the case is a single well-formed <c>Bearer</c> header.</summary>
    public string? Token => Authorization is [var only] && only.StartsWith("Bearer ", StringComparison.Ordinal) ? only[7..] : null;

    /// <summary>
    /// False when a value holds a control or non-ASCII character: HttpClient refuses to send those, and Kestrel answers
    /// 400 before any middleware runs, so such cases reach the gateway's code only in the verifier-level tests.
    /// </summary>
    public bool IsHttpFieldSafe => Authorization.All(v => v.All(c => c is '\t' or (>= ' ' and <= '~')));

    public override string ToString() => Name;
}

/// <summary>A request the suite expects to pass: positive controls next to the attacks.</summary>
public sealed record AcceptedCase(string Name, string[] Authorization)
{
    public override string ToString() => Name;
}

/// <summary>
/// Attack tokens from the public JWT attack catalogues (PortSwigger's JWT labs, jwt_tool's playbook, the CVEs of
/// alg confusion, psychic signatures and kid injection), each with the reason the gateway must give.
/// </summary>
public static class AttackCatalog
{
    private static readonly Lazy<Dictionary<string, AttackCase>> Tokens = new(() => Index(BuildTokenAttacks()));
    private static readonly Lazy<Dictionary<string, AttackCase>> Headers = new(() => Index(BuildHeaderAttacks()));
    private static readonly Lazy<Dictionary<string, AcceptedCase>> Accepted = new(() => BuildAccepted().ToDictionary(c => c.Name, StringComparer.Ordinal));

    /// <summary>Cases that are a token (sent as <c>Bearer &lt;token&gt;</c>): checked against the verifier and the gateway.</summary>
    public static TheoryData<string> TokenAttackNames => Names(Tokens.Value.Keys);

    /// <summary>Cases about the Authorization header itself: checked against the gateway.</summary>
    public static TheoryData<string> HeaderAttackNames => Names(Headers.Value.Keys);

    public static TheoryData<string> AcceptedNames => Names(Accepted.Value.Keys);

    public static AttackCase TokenAttack(string name) => Tokens.Value[name];

    public static AttackCase HeaderAttack(string name) => Headers.Value[name];

    public static AcceptedCase AcceptedCase(string name) => Accepted.Value[name];

    private static TheoryData<string> Names(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names)
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, AttackCase> Index(IEnumerable<AttackCase> cases)
    {
        var index = new Dictionary<string, AttackCase>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            index.Add(c.Name, c);
        }

        return index;
    }

    private static AttackCase T(string name, string token, string reason) => new(name, ["Bearer " + token], reason);

    private static string SignedHeader(JsonObject header) => Jose.Sign(header, Jose.Claims(), Jose.Legit);

    private static string SignedHeader(string headerJson) => Jose.Sign(headerJson, Jose.Claims().ToJsonString(), Jose.Legit);

    private static string SignedClaims(string payloadJson) => Jose.Sign(Jose.Header().ToJsonString(), payloadJson, Jose.Legit);

    private static string Legit(string rawHeaderJsonTail = "") =>
        Jose.Sign("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"" + rawHeaderJsonTail + "}", Jose.Claims().ToJsonString(), Jose.Legit);

    private static IEnumerable<AttackCase> BuildTokenAttacks()
    {
        var valid = Jose.Valid();
        var parts = valid.Split('.');
        var claims = Jose.Claims().ToJsonString();

        // kid traversal and injection: a kid is a dictionary key, never a path, query or command.
        foreach (var (name, kid) in new[]
                 {
                     ("kid_PathTraversalDevNull", "../../../../../../dev/null"),
                     ("kid_PathTraversalEtcPasswd", "../../../../etc/passwd"),
                     ("kid_SqlInjection", "' OR 1=1--"),
                     ("kid_SqlUnion", "x' UNION SELECT 'AA=='--"),
                     ("kid_CommandInjection", "| whoami"),
                     ("kid_CommandSubstitution", "$(id)"),
                     ("kid_Url", "https://attacker.example/jwks.json"),
                     ("kid_Nul", "ec1\0"),
                     ("kid_NulPrefix", "\0"),
                     ("kid_CrLf", "ec1\r\nX-Injected: 1"),
                     ("kid_VeryLong", new string('k', 4000)),
                     ("kid_Empty", ""),
                     ("kid_OtherCase", "EC1"),
                 })
        {
            yield return T(name, Jose.Sign(Jose.Header(kid: kid), Jose.Claims(), Jose.Es256(AttackKeys.AttackerEc)), Reasons.UnknownKey.Code);
        }

        // kid pointing at the HMAC key while the token is signed with that kid's... nothing the attacker knows.
        yield return T("kid_HmacKeyNamedWithEs256", Jose.Sign(Jose.Header(kid: AttackKeys.Hs1), Jose.Claims(), Jose.Es256(AttackKeys.AttackerEc)), Reasons.UnknownKey.Code);
        yield return T("kid_NumberInsteadOfString", SignedHeader("{\"alg\":\"ES256\",\"kid\":1,\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("kid_Object", SignedHeader("{\"alg\":\"ES256\",\"kid\":{\"a\":\"ec1\"},\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("kid_Array", SignedHeader("{\"alg\":\"ES256\",\"kid\":[\"ec1\"],\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);

        // alg none, every casing, with and without a signature.
        foreach (var alg in new[] { "none", "None", "NONE", "nOnE" })
        {
            yield return T($"alg_{alg}_NoSignature", Jose.WithSignature(Jose.Header(alg: alg).ToJsonString(), claims, []), Reasons.AlgorithmNotAllowed.Code);
            yield return T($"alg_{alg}_WithSignature", Jose.Sign(Jose.Header(alg: alg), Jose.Claims(), Jose.Legit), Reasons.AlgorithmNotAllowed.Code);
        }

        yield return T("alg_none_NoKid_NoSignature", Jose.WithSignature("{\"alg\":\"none\"}", claims, []), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_none_UnicodeEscaped", Jose.WithSignature("{\"alg\":\"\\u006eone\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"}", claims, []), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_Missing", SignedHeader("{\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_Empty", SignedHeader(Jose.Header(alg: "")), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_LowerCase", SignedHeader(Jose.Header(alg: "es256")), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_TrailingSpace", SignedHeader(Jose.Header(alg: "ES256 ")), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_NotAllowedButKnown_ES384", SignedHeader(Jose.Header(alg: "ES384")), Reasons.AlgorithmNotAllowed.Code);
        yield return T("alg_Number", SignedHeader("{\"alg\":256,\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("alg_Array", SignedHeader("{\"alg\":[\"ES256\"],\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("alg_Null", SignedHeader("{\"alg\":null,\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.AlgorithmNotAllowed.Code);

        // Key confusion: HMAC keyed with the public RSA (or EC) key's bytes, which every attacker has.
        var rsaPem = Encoding.ASCII.GetBytes(AttackKeys.RsaKey.ExportSubjectPublicKeyInfoPem());
        var rsaPemLf = Encoding.ASCII.GetBytes(AttackKeys.RsaKey.ExportSubjectPublicKeyInfoPem() + "\n");
        var rsaPkcs1Pem = Encoding.ASCII.GetBytes(AttackKeys.RsaKey.ExportRSAPublicKeyPem());
        var rsaSpki = AttackKeys.RsaKey.ExportSubjectPublicKeyInfo();
        var rsaPkcs1 = AttackKeys.RsaKey.ExportRSAPublicKey();
        var rsaModulus = AttackKeys.RsaKey.ExportParameters(false).Modulus!;
        var rsaJwk = Encoding.UTF8.GetBytes(AttackKeys.Jwks);
        var ecSpki = AttackKeys.EcKey1.ExportSubjectPublicKeyInfo();
        foreach (var (name, secret) in new[]
                 {
                     ("RsaPem", rsaPem), ("RsaPemTrailingNewline", rsaPemLf), ("RsaPkcs1Pem", rsaPkcs1Pem),
                     ("RsaSpkiDer", rsaSpki), ("RsaPkcs1Der", rsaPkcs1), ("RsaModulus", rsaModulus), ("JwksText", rsaJwk),
                 })
        {
            yield return T($"keyConfusion_HS256_{name}_KidRsa", Jose.Sign(Jose.Header("HS256", AttackKeys.Rsa1), Jose.Claims(), Jose.Hs256(secret)), Reasons.UnknownKey.Code);
            yield return T($"keyConfusion_HS256_{name}_NoKid", Jose.Sign(Jose.Header("HS256", null), Jose.Claims(), Jose.Hs256(secret)), Reasons.UnknownKey.Code);
            yield return T($"keyConfusion_HS256_{name}_KidHmac", Jose.Sign(Jose.Header("HS256", AttackKeys.Hs1), Jose.Claims(), Jose.Hs256(secret)), Reasons.InvalidSignature.Code);
            yield return T($"keyConfusion_HS384_{name}_KidRsa", Jose.Sign(Jose.Header("HS384", AttackKeys.Rsa1), Jose.Claims(), Jose.Hs384(secret)), Reasons.AlgorithmNotAllowed.Code);
        }

        yield return T("keyConfusion_HS256_EcSpkiDer_KidEc", Jose.Sign(Jose.Header("HS256", AttackKeys.Ec1), Jose.Claims(), Jose.Hs256(ecSpki)), Reasons.UnknownKey.Code);
        yield return T("keyConfusion_RS256_KidEc", Jose.Sign(Jose.Header("RS256", AttackKeys.Ec1), Jose.Claims(), Jose.Rs256(AttackKeys.AttackerRsa)), Reasons.UnknownKey.Code);
        yield return T("keyConfusion_ES256_KidRsa", Jose.Sign(Jose.Header("ES256", AttackKeys.Rsa1), Jose.Claims(), Jose.Es256(AttackKeys.AttackerEc)), Reasons.UnknownKey.Code);
        yield return T("keyConfusion_ES256_KidHmac", Jose.Sign(Jose.Header("ES256", AttackKeys.Hs1), Jose.Claims(), Jose.Es256(AttackKeys.AttackerEc)), Reasons.UnknownKey.Code);

        // ECDSA signature edge cases (CVE-2022-21449 "psychic signatures" and friends).
        var n = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        var realSig = Convert.FromBase64String(Base64Pad(parts[2]));
        var one = new byte[32];
        one[31] = 1;
        foreach (var (name, sig) in new[]
                 {
                     ("es256_PsychicAllZero64", new byte[64]),
                     ("es256_RZero", Concat(new byte[32], realSig[32..])),
                     ("es256_SZero", Concat(realSig[..32], new byte[32])),
                     ("es256_RAndSEqualN", Concat(n, n)),
                     ("es256_REqualsN", Concat(n, realSig[32..])),
                     ("es256_RSEqualOne", Concat(one, one)),
                     ("es256_AllOnes", Enumerable.Repeat((byte)0xFF, 64).ToArray()),
                     ("es256_SPlusN", Concat(realSig[..32], AddModulus(realSig[32..], n))),
                     ("es256_Empty", Array.Empty<byte>()),
                     ("es256_Length63", realSig[..63]),
                     ("es256_Length65", Concat(realSig, [0])),
                     ("es256_Length128", Concat(realSig, realSig)),
                     ("es256_Length1", new byte[1]),
                     ("es256_DerEncodedRealSignature", ToDer(realSig)),
                 })
        {
            yield return T(name, parts[0] + "." + parts[1] + "." + Jose.B64(sig), Reasons.InvalidSignature.Code);
        }

        // JWE (five parts) and other part counts.
        yield return T("jwe_FiveParts", Jose.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"rsa1\"}") + "." + Jose.B64(new byte[256]) + "." + Jose.B64(new byte[12]) + "." + Jose.B64(claims) + "." + Jose.B64(new byte[16]), Reasons.Malformed.Code);
        yield return T("jwe_FivePartsDir", Jose.B64("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}") + ".." + Jose.B64(new byte[16]) + "." + Jose.B64(claims) + "." + Jose.B64(new byte[16]), Reasons.Malformed.Code);
        yield return T("parts_Four", valid + "." + parts[2], Reasons.Malformed.Code);
        yield return T("parts_TwoDotsOnly", "..", Reasons.Malformed.Code);
        yield return T("parts_FourDotsOnly", "....", Reasons.Malformed.Code);
        yield return T("parts_OneDot", parts[0] + "." + parts[1], Reasons.Malformed.Code);
        yield return T("parts_NoDot", parts[0], Reasons.Malformed.Code);
        yield return T("parts_EmptyHeader", "." + parts[1] + "." + parts[2], Reasons.Malformed.Code);
        yield return T("parts_EmptyPayload", parts[0] + ".." + parts[2], Reasons.Malformed.Code);
        yield return T("parts_EmptySignature", parts[0] + "." + parts[1] + ".", Reasons.InvalidSignature.Code);
        yield return T("parts_TrailingDot", valid + ".", Reasons.Malformed.Code);
        yield return T("parts_LeadingDot", "." + valid, Reasons.Malformed.Code);
        yield return T("parts_SwappedHeaderPayload", parts[1] + "." + parts[0] + "." + parts[2], Reasons.UnknownIssuer.Code);
        yield return T("parts_SignatureOfOtherToken", parts[0] + "." + parts[1] + "." + Jose.Valid().Split('.')[2], Reasons.InvalidSignature.Code);

        // Headers the gateway must not honour.
        var attackerKid = "attacker";
        var attackerSigner = Jose.Es256(AttackKeys.AttackerEc);
        JsonObject AttackerHeader(string member, JsonNode value)
        {
            var h = Jose.Header(kid: attackerKid);
            h[member] = value;
            return h;
        }

        yield return T("crit_Unknown", Legit(",\"crit\":[\"http://example.invalid/x\"],\"http://example.invalid/x\":true"), Reasons.UnsupportedHeader.Code);
        yield return T("crit_Exp", Legit(",\"crit\":[\"exp\"],\"exp\":1"), Reasons.UnsupportedHeader.Code);
        yield return T("crit_Empty", Legit(",\"crit\":[]"), Reasons.UnsupportedHeader.Code);
        yield return T("crit_NotArray", Legit(",\"crit\":\"b64\""), Reasons.UnsupportedHeader.Code);
        // RFC 7797 with the payload unencoded: not even base64url.
        yield return T("b64_FalseWithCrit_RawPayload", Jose.SignEncoded(Jose.B64("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":\"at+jwt\",\"b64\":false,\"crit\":[\"b64\"]}"), claims, Jose.Legit), Reasons.Malformed.Code);
        yield return T("b64_FalseWithCrit_EncodedPayload", Legit(",\"b64\":false,\"crit\":[\"b64\"]"), Reasons.UnsupportedHeader.Code);
        yield return T("b64_FalseWithoutCrit", Legit(",\"b64\":false"), Reasons.UnsupportedHeader.Code);
        yield return T("jku_AttackerJwks", Jose.Sign(AttackerHeader("jku", "https://attacker.example/jwks.json"), Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        yield return T("jku_IssuerKid", Legit(",\"jku\":\"https://attacker.example/jwks.json\""), Reasons.UnsupportedHeader.Code);
        yield return T("x5u_AttackerCert", Jose.Sign(AttackerHeader("x5u", "https://attacker.example/cert.pem"), Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        yield return T("x5c_AttackerCert", Jose.Sign(AttackerHeader("x5c", new JsonArray(Convert.ToBase64String(SelfSignedCertificate()))), Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        yield return T("jwk_EmbeddedAttackerKey", Jose.Sign(AttackerHeader("jwk", AttackKeys.PublicJwk(AttackKeys.AttackerEc, attackerKid)), Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        var jwkNoKid = Jose.Header(kid: null);
        jwkNoKid["jwk"] = AttackKeys.PublicJwk(AttackKeys.AttackerEc, null);
        yield return T("jwk_EmbeddedAttackerKey_NoKid", Jose.Sign(jwkNoKid, Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        var jwkIssuerKid = Jose.Header(kid: AttackKeys.Ec1);
        jwkIssuerKid["jwk"] = AttackKeys.PublicJwk(AttackKeys.AttackerEc, AttackKeys.Ec1);
        yield return T("jwk_EmbeddedAttackerKey_IssuerKid", Jose.Sign(jwkIssuerKid, Jose.Claims(), attackerSigner), Reasons.UnsupportedHeader.Code);
        yield return T("zip_Deflate", Legit(",\"zip\":\"DEF\""), Reasons.UnsupportedHeader.Code);

        // Duplicate member names: two parsers, two tokens.
        yield return T("duplicate_Alg", SignedHeader("{\"alg\":\"none\",\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("duplicate_AlgSameValue", SignedHeader("{\"alg\":\"ES256\",\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("duplicate_Kid", SignedHeader("{\"alg\":\"ES256\",\"kid\":\"attacker\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("duplicate_Sub", SignedClaims(Jose.ClaimsWithRaw("sub", "\"a\",\"sub\":\"b\"")), Reasons.Malformed.Code);
        yield return T("duplicate_Exp", SignedClaims(Jose.ClaimsWithRaw("exp", "1,\"exp\":99999999999")), Reasons.Malformed.Code);
        yield return T("duplicate_Iss", SignedClaims(Jose.ClaimsWithRaw("iss", "\"https://evil.example\",\"iss\":\"" + AttackKeys.Issuer + "\"")), Reasons.Malformed.Code);
        yield return T("duplicate_NestedMember", SignedClaims(Jose.ClaimsWithRaw("ext", "{\"a\":1,\"a\":2}")), Reasons.Malformed.Code);
        yield return T("duplicate_EscapedName", SignedClaims(Jose.ClaimsWithRaw("sub", "\"a\",\"\\u0073ub\":\"b\"")), Reasons.Malformed.Code);

        // Numeric claims of the wrong type or out of range.
        foreach (var claim in new[] { "exp", "nbf", "iat" })
        {
            foreach (var (label, raw) in new[]
                     {
                         ("String", "\"" + (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600) + "\""),
                         ("Float", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600) + ".5"),
                         ("Exponent", "1.7e9"),
                         ("Negative", "-1"),
                         ("Huge1e400", "1e400"),
                         ("TwoPow64", "18446744073709551616"),
                         ("LongMax", "9223372036854775807"),
                         ("LongMinMinusOne", "-9223372036854775809"),
                         ("Object", "{\"t\":1}"),
                         ("Array", "[1]"),
                         ("Bool", "true"),
                         ("Null", "null"),
                     })
            {
                yield return T($"claim_{claim}_{label}", SignedClaims(Jose.ClaimsWithRaw(claim, raw)), Reasons.InvalidClaim.Code);
            }
        }

        foreach (var claim in new[] { "ver", "auth_time" })
        {
            yield return T($"claim_{claim}_String", SignedClaims(Jose.ClaimsWithRaw(claim, "\"1\"")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_Float", SignedClaims(Jose.ClaimsWithRaw(claim, "1.5")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_Huge", SignedClaims(Jose.ClaimsWithRaw(claim, "1e400")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_Negative", SignedClaims(Jose.ClaimsWithRaw(claim, "-5")), Reasons.InvalidClaim.Code);
        }

        yield return T("claim_exp_Missing", SignedClaims(Jose.ClaimsWithRaw("exp", null)), Reasons.MissingClaim.Code);
        yield return T("claim_iat_Missing", SignedClaims(Jose.ClaimsWithRaw("iat", null)), Reasons.MissingClaim.Code);
        yield return T("claim_sub_Missing", SignedClaims(Jose.ClaimsWithRaw("sub", null)), Reasons.MissingClaim.Code);
        yield return T("claim_sub_Empty", SignedClaims(Jose.ClaimsWithRaw("sub", "\"\"")), Reasons.MissingClaim.Code);
        yield return T("claim_sub_Number", SignedClaims(Jose.ClaimsWithRaw("sub", "42")), Reasons.InvalidClaim.Code);
        yield return T("claim_sub_Array", SignedClaims(Jose.ClaimsWithRaw("sub", "[\"a\",\"b\"]")), Reasons.InvalidClaim.Code);
        yield return T("claim_sub_Object", SignedClaims(Jose.ClaimsWithRaw("sub", "{\"id\":\"a\"}")), Reasons.InvalidClaim.Code);
        yield return T("claim_sub_Null", SignedClaims(Jose.ClaimsWithRaw("sub", "null")), Reasons.InvalidClaim.Code);
        foreach (var claim in new[] { "sub", "sid", "jti" })
        {
            yield return T($"claim_{claim}_CrLfHeaderInjection", SignedClaims(Jose.ClaimsWithRaw(claim, "\"u1\\r\\nX-Auth-Admin: true\"")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_EscapedNul", SignedClaims(Jose.ClaimsWithRaw(claim, "\"u1\\u0000\"")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_Tab", SignedClaims(Jose.ClaimsWithRaw(claim, "\"u\\t1\"")), Reasons.InvalidClaim.Code);
            yield return T($"claim_{claim}_NonAscii", SignedClaims(Jose.ClaimsWithRaw(claim, "\"jos\u00e9\"")), Reasons.InvalidClaim.Code);
        }

        // Scopes reach the backend too (IdentityHeaders:Scopes) and are compared by RequiredScopes: each must be an RFC 6749
        // §3.3 scope token of printable ASCII, and a scp entry may not hide a space (two scopes in one joined header).
        yield return T("claim_scope_CrLfHeaderInjection", SignedClaims(Jose.ClaimsWithRaw("scope", "\"read\\r\\nX-Auth-Admin: true\"")), Reasons.InvalidClaim.Code);
        yield return T("claim_scope_Tab", SignedClaims(Jose.ClaimsWithRaw("scope", "\"read\\twrite\"")), Reasons.InvalidClaim.Code);
        yield return T("claim_scope_NonAscii", SignedClaims(Jose.ClaimsWithRaw("scope", "\"read caf\u00e9\"")), Reasons.InvalidClaim.Code);
        yield return T("claim_scp_CrLfHeaderInjection", SignedClaims(Jose.ClaimsWithRaw("scp", "[\"read\\r\\nX-Auth-Admin: true\"]")), Reasons.InvalidClaim.Code);
        yield return T("claim_scp_EntryWithSpace", SignedClaims(Jose.ClaimsWithRaw("scp", "[\"read write\"]")), Reasons.InvalidClaim.Code);
        yield return T("claim_scp_EmptyEntry", SignedClaims(Jose.ClaimsWithRaw("scp", "[\"\"]")), Reasons.InvalidClaim.Code);

        yield return T("claim_sid_Number", SignedClaims(Jose.ClaimsWithRaw("sid", "7")), Reasons.InvalidClaim.Code);
        yield return T("claim_sid_Array", SignedClaims(Jose.ClaimsWithRaw("sid", "[\"s1\",\"s2\"]")), Reasons.InvalidClaim.Code);
        yield return T("claim_jti_Object", SignedClaims(Jose.ClaimsWithRaw("jti", "{}")), Reasons.InvalidClaim.Code);
        yield return T("claim_jti_Empty", SignedClaims(Jose.ClaimsWithRaw("jti", "\"\"")), Reasons.InvalidClaim.Code);
        yield return T("claim_jti_TooLong", SignedClaims(Jose.ClaimsWithRaw("jti", "\"" + new string('j', 300) + "\"")), Reasons.InvalidClaim.Code);
        yield return T("claim_iss_Array", SignedClaims(Jose.ClaimsWithRaw("iss", "[\"" + AttackKeys.Issuer + "\"]")), Reasons.Malformed.Code);
        yield return T("claim_iss_Other", SignedClaims(Jose.ClaimsWithRaw("iss", "\"https://evil.example\"")), Reasons.UnknownIssuer.Code);
        yield return T("claim_iss_TrailingSlash", SignedClaims(Jose.ClaimsWithRaw("iss", "\"" + AttackKeys.Issuer + "/\"")), Reasons.UnknownIssuer.Code);
        yield return T("claim_iss_Missing", SignedClaims(Jose.ClaimsWithRaw("iss", null)), Reasons.UnknownIssuer.Code);
        yield return T("claim_aud_Other", SignedClaims(Jose.ClaimsWithRaw("aud", "\"api://other\"")), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_ArrayWithoutAccepted", SignedClaims(Jose.ClaimsWithRaw("aud", "[\"api://other\",\"api://gateway/\"]")), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_EmptyArray", SignedClaims(Jose.ClaimsWithRaw("aud", "[]")), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_Missing", SignedClaims(Jose.ClaimsWithRaw("aud", null)), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_Number", SignedClaims(Jose.ClaimsWithRaw("aud", "1")), Reasons.Malformed.Code);
        yield return T("claim_aud_TrailingSlash", SignedClaims(Jose.ClaimsWithRaw("aud", "\"" + AttackKeys.Audience + "/\"")), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_LeadingSpace", SignedClaims(Jose.ClaimsWithRaw("aud", "\" " + AttackKeys.Audience + "\"")), Reasons.InvalidAudience.Code);
        yield return T("claim_aud_CaseDiffers", SignedClaims(Jose.ClaimsWithRaw("aud", "\"API://GATEWAY\"")), Reasons.InvalidAudience.Code);

        // Deeply nested JSON and non-object parts.
        var deep = new string('[', 1000) + new string(']', 1000);
        yield return T("nesting_PayloadDepth1000", SignedClaims(Jose.ClaimsWithRaw("x", deep)), Reasons.Malformed.Code);
        yield return T("nesting_PayloadObjectsDepth1000", SignedClaims(Jose.ClaimsWithRaw("x", string.Concat(Enumerable.Repeat("{\"\":", 1000)) + "1" + new string('}', 1000))), Reasons.Malformed.Code);
        yield return T("nesting_HeaderDepth1000", Legit(",\"x\":" + deep), Reasons.Malformed.Code);
        foreach (var (label, json) in new[] { ("Array", "[]"), ("ArrayOfObject", "[{\"alg\":\"ES256\"}]"), ("String", "\"ES256\""), ("Number", "1"), ("Null", "null"), ("True", "true"), ("Empty", ""), ("Whitespace", " "), ("TwoObjects", "{}{}"), ("TrailingGarbage", "{\"alg\":\"ES256\"}x"), ("Unclosed", "{\"alg\":\"ES256\"") })
        {
            yield return T($"notObject_Header{label}", Jose.Sign(json, claims, Jose.Legit), Reasons.Malformed.Code);
            yield return T($"notObject_Payload{label}", Jose.Sign(Jose.Header().ToJsonString(), json, Jose.Legit), Reasons.Malformed.Code);
        }

        yield return T("json_PayloadWithComments", SignedClaims("/*c*/" + claims), Reasons.Malformed.Code);
        yield return T("json_PayloadTrailingComma", SignedClaims(claims[..^1] + ",}"), Reasons.Malformed.Code);
        yield return T("json_PayloadSingleQuotes", SignedClaims(claims.Replace('"', '\'')), Reasons.Malformed.Code);
        yield return T("json_PayloadBom", Jose.SignEncoded(parts[0], Jose.B64(Concat([0xEF, 0xBB, 0xBF], Encoding.UTF8.GetBytes(claims))), Jose.Legit), Reasons.Malformed.Code);
        yield return T("json_PayloadInvalidUtf8", Jose.SignEncoded(parts[0], Jose.B64(Concat(Encoding.UTF8.GetBytes(claims[..^1] + ",\"x\":\""), [0xC3, 0x28, (byte)'"', (byte)'}'])), Jose.Legit), Reasons.Malformed.Code);
        yield return T("json_PayloadLoneSurrogateEscape", SignedClaims(Jose.ClaimsWithRaw("sub", "\"\\ud800\"")), Reasons.Malformed.Code);

        // Invalid base64url: padding, the base64 alphabet, whitespace; untouched and re-signed with the right key.
        foreach (var (label, header) in new[]
                 {
                     ("Padding", parts[0] + "="), ("DoublePadding", parts[0] + "=="), ("Plus", parts[0][..^1] + "+"), ("Slash", parts[0][..^1] + "/"),
                     ("Space", parts[0][..4] + " " + parts[0][4..]), ("Tab", parts[0][..4] + "\t" + parts[0][4..]), ("Newline", parts[0][..4] + "\n" + parts[0][4..]),
                     ("CrLf", parts[0][..4] + "\r\n" + parts[0][4..]), ("Nul", parts[0][..4] + "\0" + parts[0][4..]), ("Percent", parts[0][..4] + "%3D" + parts[0][4..]),
                     ("NonAscii", parts[0][..4] + "é" + parts[0][4..]), ("Dot", "*"),
                 })
        {
            yield return T($"base64_Header{label}", header + "." + parts[1] + "." + parts[2], Reasons.Malformed.Code);
            yield return T($"base64_Header{label}_Resigned", Jose.SignEncoded(header, parts[1], Jose.Legit), Reasons.Malformed.Code);
        }

        yield return T("base64_PayloadPadded_Resigned", Jose.SignEncoded(parts[0], PadTo4(parts[1]), Jose.Legit), Reasons.Malformed.Code);
        yield return T("base64_PayloadStandardAlphabet_Resigned", Jose.SignEncoded(parts[0], StandardAlphabetPayload(), Jose.Legit), Reasons.Malformed.Code);
        yield return T("base64_PayloadLengthMod4Is1", parts[0] + "." + parts[1] + "A." + parts[2], Reasons.Malformed.Code);
        yield return T("base64_SignaturePadded", valid + "==", Reasons.Malformed.Code);
        yield return T("base64_SignatureStandardAlphabet", parts[0] + "." + parts[1] + "." + Convert.ToBase64String(realSig), Reasons.Malformed.Code);
        yield return T("base64_SignatureWithSpace", parts[0] + "." + parts[1] + "." + parts[2][..10] + " " + parts[2][10..], Reasons.Malformed.Code);
        yield return T("base64_SignatureNonCanonicalTrailingBits", parts[0] + "." + parts[1] + "." + FlipTrailingBits(parts[2]), Reasons.InvalidSignature.Code);

        // CR/LF and NUL inside the header JSON.
        yield return T("header_RawCrLfInString", SignedHeader("{\"alg\":\"ES256\",\"kid\":\"ec1\r\nX: y\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("header_RawNulInString", SignedHeader("{\"alg\":\"ES256\",\"kid\":\"ec1\0\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("header_RawNulBetweenMembers", SignedHeader("{\"alg\":\"ES256\",\0\"kid\":\"ec1\",\"typ\":\"at+jwt\"}"), Reasons.Malformed.Code);
        yield return T("header_EscapedCrLfInTyp", SignedHeader(Jose.Header(typ: "at+jwt\r\nX: y")), Reasons.InvalidType.Code);
        yield return T("header_EscapedNulInAlg", SignedHeader(Jose.Header(alg: "ES256\0")), Reasons.AlgorithmNotAllowed.Code);

        // typ: only at+jwt is configured.
        foreach (var typ in new[] { "logout+jwt", "JWT", "jwt", "application/jwt", "at+jwt ", "" })
        {
            yield return T($"typ_{(typ.Length == 0 ? "Empty" : typ.Replace('/', '_').Replace(' ', '_'))}", SignedHeader(Jose.Header(typ: typ)), Reasons.InvalidType.Code);
        }

        yield return T("typ_Missing", SignedHeader(Jose.Header(typ: null)), Reasons.InvalidType.Code);
        yield return T("typ_Number", SignedHeader("{\"alg\":\"ES256\",\"kid\":\"ec1\",\"typ\":1}"), Reasons.Malformed.Code);
        yield return T("typ_LogoutTokenWithEvents", Jose.Sign(Jose.Header(typ: "logout+jwt"), LogoutClaims(), Jose.Legit), Reasons.InvalidType.Code);

        // Lifetime.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expired = Jose.Claims(now - 3600);
        yield return T("lifetime_Expired", Jose.Sign(Jose.Header(), expired, Jose.Legit), Reasons.Expired.Code);
        yield return T("lifetime_ExpiredResignedWithOtherIssuerKid", Jose.Sign(Jose.Header(kid: AttackKeys.Ec2), expired, Jose.Es256(AttackKeys.EcKey2)), Reasons.Expired.Code);
        var expiredToken = Jose.Sign(Jose.Header(), expired, Jose.Legit).Split('.');
        // Lifetime is checked before the signature (a flood of expired tokens costs no verification), so a forged
        // expired token is refused as expired: it is refused either way, and its exp is no secret.
        yield return T("lifetime_ExpiredKidSwappedKeepSignature", Jose.B64(Jose.Header(kid: AttackKeys.Ec2).ToJsonString()) + "." + expiredToken[1] + "." + expiredToken[2], Reasons.Expired.Code);
        yield return T("lifetime_ExpiredResignedByAttackerNewKid", Jose.Sign(Jose.Header(kid: "rotated-2"), expired, Jose.Es256(AttackKeys.AttackerEc)), Reasons.Expired.Code);
        var pastSkew = Jose.Claims(now - 670);
        yield return T("lifetime_ExpPastSkew", Jose.Sign(Jose.Header(), pastSkew, Jose.Legit), Reasons.Expired.Code);
        // Far enough ahead that a slow test run (the catalogue is built at discovery) never reaches it.
        var future = Jose.Claims();
        future["nbf"] = now + 1800;
        future["exp"] = now + 3600;
        yield return T("lifetime_NbfFuture", Jose.Sign(Jose.Header(), future, Jose.Legit), Reasons.NotYetValid.Code);
        var epoch = Jose.Claims();
        epoch["exp"] = 0;
        epoch["iat"] = 0;
        epoch["nbf"] = 0;
        yield return T("lifetime_ExpZero", Jose.Sign(Jose.Header(), epoch, Jose.Legit), Reasons.Expired.Code);
        var inverted = Jose.Claims();
        inverted["nbf"] = now + 1200;
        yield return T("lifetime_NbfAfterExp", Jose.Sign(Jose.Header(), inverted, Jose.Legit), Reasons.InvalidClaim.Code);

        // Size: the limit is on characters, checked before any parsing.
        yield return T("size_OverLimitByOne", SizedToken(AttackKeys.MaxTokenSize + 1), Reasons.TooLarge.Code);
        yield return T("size_UnderLimitTampered", Tamper(SizedToken(AttackKeys.MaxTokenSize)), Reasons.InvalidSignature.Code);
        yield return T("size_30kGarbage", new string('A', 30_000), Reasons.TooLarge.Code);
        yield return T("size_30kDots", new string('.', 30_000), Reasons.TooLarge.Code);

        // Signature tampering of an otherwise valid token.
        yield return T("tamper_PayloadSubChanged", parts[0] + "." + Jose.B64(claims.Replace("user-1", "admin", StringComparison.Ordinal)) + "." + parts[2], Reasons.InvalidSignature.Code);
        yield return T("tamper_SignedByAttackerWithIssuerKid", Jose.Sign(Jose.Header(), Jose.Claims(), Jose.Es256(AttackKeys.AttackerEc)), Reasons.InvalidSignature.Code);
        yield return T("tamper_SignedByOtherIssuerKeyWithKid1", Jose.Sign(Jose.Header(), Jose.Claims(), Jose.Es256(AttackKeys.EcKey2)), Reasons.InvalidSignature.Code);
        yield return T("tamper_RS256SignedByAttacker", Jose.Sign(Jose.Header("RS256", AttackKeys.Rsa1), Jose.Claims(), Jose.Rs256(AttackKeys.AttackerRsa)), Reasons.InvalidSignature.Code);
    }

    private static IEnumerable<AttackCase> BuildHeaderAttacks()
    {
        var valid = Jose.Valid();
        yield return new("auth_BearerTwiceInOneValue", ["Bearer Bearer " + valid], Reasons.Malformed.Code);
        yield return new("auth_TwoAuthorizationHeaders", ["Bearer " + valid, "Bearer " + valid], Reasons.Malformed.Code);
        yield return new("auth_TwoAuthorizationHeadersOneBad", ["Bearer x.y.z", "Bearer " + valid], Reasons.Malformed.Code);
        yield return new("auth_TabSeparator", ["Bearer\t" + valid], Reasons.Malformed.Code);
        yield return new("auth_NoSeparator", ["Bearer" + valid], Reasons.Missing.Code);
        yield return new("auth_Basic", ["Basic dXNlcjpwYXNzd29yZA=="], Reasons.Missing.Code);
        yield return new("auth_BasicWithToken", ["Basic " + valid], Reasons.Missing.Code);
        // RFC 9449: the DPoP scheme is read, and a token bound to no key can never match a proof.
        yield return new("auth_DPoPScheme", ["DPoP " + valid], Reasons.DpopKeyMismatch.Code);
        yield return new("auth_DPoPSchemeNoToken", ["DPoP"], Reasons.Missing.Code);
        yield return new("auth_DPoPTabSeparator", ["DPoP\t" + valid], Reasons.Malformed.Code);
        yield return new("auth_Empty", [""], Reasons.Missing.Code);
        yield return new("auth_None", [], Reasons.Missing.Code);
        yield return new("auth_BearerOnly", ["Bearer"], Reasons.Missing.Code);
        yield return new("auth_BearerSpaceOnly", ["Bearer "], Reasons.Missing.Code);
        yield return new("auth_TrailingComma", ["Bearer " + valid + ","], Reasons.Malformed.Code);
        yield return new("auth_CommaSeparatedTwoTokens", ["Bearer " + valid + ", Bearer " + valid], Reasons.Malformed.Code);
        yield return new("auth_TokenThenParameter", ["Bearer " + valid + " realm=\"x\""], Reasons.Malformed.Code);
        yield return new("auth_TwoSpacesGarbage", ["Bearer  x.y.z"], Reasons.Malformed.Code);
        yield return new("auth_QuotedToken", ["Bearer \"" + valid + "\""], Reasons.Malformed.Code);
        yield return new("auth_TokenWithSpaceInside", ["Bearer " + valid[..20] + " " + valid[20..]], Reasons.Malformed.Code);
    }

    private static IEnumerable<AcceptedCase> BuildAccepted()
    {
        var valid = Jose.Valid();
        yield return new("ok_Valid", ["Bearer " + valid]);
        yield return new("ok_LowerCaseScheme", ["bearer " + valid]);
        yield return new("ok_UpperCaseScheme", ["BEARER " + valid]);
        // RFC 6750: credentials = "Bearer" 1*SP b64token.
        yield return new("ok_TwoSpacesAfterScheme", ["Bearer  " + valid]);
        yield return new("ok_AudArrayContainingAccepted", ["Bearer " + SignedClaims(Jose.ClaimsWithRaw("aud", "[\"api://other\",\"" + AttackKeys.Audience + "\",\"api://third\"]"))]);
        yield return new("ok_AudSingleElementArray", ["Bearer " + SignedClaims(Jose.ClaimsWithRaw("aud", "[\"" + AttackKeys.Audience + "\"]"))]);
        yield return new("ok_SizeExactlyAtLimit", ["Bearer " + SizedToken(AttackKeys.MaxTokenSize)]);
        yield return new("ok_SignedWithSecondIssuerKey", ["Bearer " + Jose.Sign(Jose.Header(kid: AttackKeys.Ec2), Jose.Claims(), Jose.Es256(AttackKeys.EcKey2))]);
        yield return new("ok_RS256", ["Bearer " + Jose.Sign(Jose.Header("RS256", AttackKeys.Rsa1), Jose.Claims(), Jose.Rs256(AttackKeys.RsaKey))]);
        yield return new("ok_HS256WithIssuerSecret", ["Bearer " + Jose.Sign(Jose.Header("HS256", AttackKeys.Hs1), Jose.Claims(), Jose.Hs256(AttackKeys.HmacKey))]);
        yield return new("ok_AlgUnicodeEscapedES256", ["Bearer " + SignedHeader("{\"alg\":\"\\u0045S256\",\"kid\":\"ec1\",\"typ\":\"at+jwt\"}")]);
        yield return new("ok_CrLfWhitespaceInHeaderJson", ["Bearer " + SignedHeader("{\r\n\"alg\":\"ES256\",\r\n\"kid\":\"ec1\",\r\n\"typ\":\"at+jwt\"\r\n}")]);
        yield return new("ok_UnknownExtraClaims", ["Bearer " + SignedClaims(Jose.ClaimsWithRaw("ext", "{\"roles\":[\"a\",\"b\"],\"n\":1.5}"))]);
    }

    internal static JsonObject LogoutClaims()
    {
        var c = Jose.Claims();
        c.Remove("nbf");
        c["events"] = new JsonObject { ["http://schemas.openid.net/event/backchannel-logout"] = new JsonObject() };
        return c;
    }

    /// <summary>A validly signed token of exactly <paramref name="length"/> characters (a filler claim sets the size).</summary>
    internal static string SizedToken(int length)
    {
        // Each 3 filler characters add 4 characters; a segment's length is never 1 mod 4, so pad the header too.
        for (var headerPad = 0; headerPad < 4; headerPad++)
        {
            var header = Jose.Header();
            header["p"] = new string('p', headerPad);
            var baseline = Jose.Sign(header, WithFiller(""), Jose.Legit).Length;
            for (var filler = Math.Max(0, ((length - baseline) * 3 / 4) - 4); filler < length; filler++)
            {
                var token = Jose.Sign(header, WithFiller(new string('f', filler)), Jose.Legit);
                if (token.Length == length)
                {
                    return token;
                }

                if (token.Length > length)
                {
                    break;
                }
            }
        }

        throw new InvalidOperationException($"no filler gives a token of {length} characters");

        static JsonObject WithFiller(string filler)
        {
            var c = Jose.Claims();
            c["jti"] = "jti-fixed-for-sizing";
            c["filler"] = filler;
            return c;
        }
    }

    internal static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])).Replace("user-1", "user-2", StringComparison.Ordinal);
        return parts[0] + "." + Jose.B64(payload) + "." + parts[2];
    }

    private static byte[] SelfSignedCertificate()
    {
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=attacker", AttackKeys.AttackerEc, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return cert.RawData;
    }

    // A payload whose standard base64 encoding has '+' and '/' (so it differs from base64url).
    private static string StandardAlphabetPayload()
    {
        var claims = Jose.Claims();
        claims["x"] = "\u00fb\u00ff?>~";
        for (var i = 0; ; i++)
        {
            var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(claims.ToJsonString())).TrimEnd('=');
            if (encoded.Contains('+', StringComparison.Ordinal) && encoded.Contains('/', StringComparison.Ordinal))
            {
                return encoded;
            }

            claims["x"] = claims["x"]!.GetValue<string>() + "?>~\u00ff";
        }
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];

    private static byte[] AddModulus(byte[] s, byte[] n)
    {
        var sum = new BigInteger(s, isUnsigned: true, isBigEndian: true) + new BigInteger(n, isUnsigned: true, isBigEndian: true);
        return sum.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    /// <summary>An ES256 signature (R then S) as the DER an ASN.1-expecting verifier wants, by the gateway's own encoder.</summary>
    internal static byte[] ToDer(byte[] p1363)
    {
        var der = new byte[Gateway.Tokens.EcdsaDer.MaxLength(p1363.Length)];
        return Gateway.Tokens.EcdsaDer.TryFromP1363(p1363, der, out var written)
            ? der[..written]
            : throw new ArgumentException("not an ES256 signature", nameof(p1363));
    }

    private static string Base64Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }

    private static string PadTo4(string s) => s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=') is var padded && padded.Length != s.Length ? padded : s + "====";

    /// <summary>Sets the unused low bits of the last base64url character (an encoding of the same bytes, not the canonical one).</summary>
    internal static string FlipTrailingBits(string segment)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var unused = (segment.Length % 4) switch { 2 => 4, 3 => 2, _ => 0 };
        if (unused == 0)
        {
            throw new ArgumentException("segment has no unused bits", nameof(segment));
        }

        var last = alphabet.IndexOf(segment[^1], StringComparison.Ordinal);
        return segment[..^1] + alphabet[last | ((1 << unused) - 1)];
    }
}
