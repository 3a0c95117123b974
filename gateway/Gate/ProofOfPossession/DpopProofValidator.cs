using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Tokens;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Checks one DPoP proof for one request (RFC 9449 §4.3): a compact JWS of three canonical base64url parts, JSON
/// objects without duplicate members, <c>typ</c> <c>dpop+jwt</c>, an allowed asymmetric <c>alg</c>, a public
/// <c>jwk</c> of the algorithm's type whose thumbprint is the token's <c>cnf.jkt</c>, <c>jti</c>, <c>htm</c>,
/// <c>htu</c>, <c>iat</c> within the window, <c>ath</c> for the presented token, the nonce when nonces are on, and
/// a signature by that <c>jwk</c>. Cheap checks come first: a proof for another key, request or time is refused
/// without a signature verification. Stateless and thread-safe; the replay check is <see cref="DpopReplayGuard"/>'s.
/// </summary>
internal sealed class DpopProofValidator
{
    /// <summary>Every algorithm this validator can verify. EdDSA is absent: the platform has no Ed25519.</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    };

    private const int MaxJtiLength = 256;

    private static readonly SearchValues<char> CompactChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 8 };

    private readonly HashSet<string> _algorithms;
    private readonly long _pastSeconds;
    private readonly long _futureSeconds;
    private readonly int _maxProofSize;
    private readonly ProofKeyCache _keys;

    public DpopProofValidator(DpopOptions options)
    {
        _algorithms = new HashSet<string>(options.EffectiveAlgorithms.Where(SupportedAlgorithms.Contains), StringComparer.Ordinal);
        _pastSeconds = (long)options.IatWindow.TotalSeconds;
        _futureSeconds = (long)options.IatFutureSkew.TotalSeconds;
        _maxProofSize = options.MaxProofSize;
        _keys = new ProofKeyCache(options.KeyCacheSize);
    }

    /// <summary>Checks a proof; never throws for any input.</summary>
    /// <param name="proof">The single <c>DPoP</c> header value.</param>
    /// <param name="method">The request's method, compared case-sensitively with <c>htm</c>.</param>
    /// <param name="htu">The URI the client addressed, already normalised by <see cref="DpopHtu.Normalize"/> (see <see cref="ForwardedRequestUri"/>).</param>
    /// <param name="accessToken">The presented access token; empty (e.g. at a token endpoint) skips the <c>ath</c> check.</param>
    /// <param name="expectedJkt">The token's <c>cnf.jkt</c>; null skips the key check, which the caller must then make on <see cref="DpopProofResult.Thumbprint"/>.</param>
    /// <param name="now">The current time.</param>
    /// <param name="nonces">When nonces are on: the check a proof's <c>nonce</c> must pass.</param>
    public DpopProofResult Validate(string? proof, string method, string htu, ReadOnlySpan<char> accessToken, string? expectedJkt, DateTimeOffset now, IDpopNonceCheck? nonces = null)
    {
        if (string.IsNullOrEmpty(proof))
        {
            return DpopProofResult.Fail(DpopReasons.ProofMissing);
        }

        if (proof.Length > _maxProofSize)
        {
            return DpopProofResult.Fail(DpopReasons.ProofTooLarge);
        }

        var span = proof.AsSpan();
        var first = span.IndexOf('.');
        var second = first < 0 ? -1 : span[(first + 1)..].IndexOf('.') + first + 1;
        if (span.IndexOfAnyExcept(CompactChars) >= 0 || first <= 0 || second <= first + 1 || second == span.Length - 1 ||
            span[(second + 1)..].IndexOf('.') >= 0)
        {
            return DpopProofResult.Fail(DpopReasons.ProofInvalid);
        }

        // One buffer for header and payload JSON; the documents read it in place.
        var rented = ArrayPool<byte>.Shared.Rent(Base64UrlStrict.DecodedLength(second));
        try
        {
            var headerPart = span[..first];
            var payloadPart = span[(first + 1)..second];
            if (!Base64UrlStrict.TryDecode(headerPart, rented, out var headerLength) ||
                !Base64UrlStrict.TryDecode(payloadPart, rented.AsSpan(headerLength), out var payloadLength))
            {
                return DpopProofResult.Fail(DpopReasons.ProofInvalid);
            }

            using var header = Parse(rented.AsMemory(0, headerLength));
            using var payload = Parse(rented.AsMemory(headerLength, payloadLength));
            if (header is null || payload is null)
            {
                return DpopProofResult.Fail(DpopReasons.ProofInvalid);
            }

            return Check(span, second, header.RootElement, payload.RootElement, method, htu, accessToken, expectedJkt, now, nonces);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private DpopProofResult Check(ReadOnlySpan<char> proof, int second, JsonElement header, JsonElement payload, string method, string htu,
        ReadOnlySpan<char> accessToken, string? expectedJkt, DateTimeOffset now, IDpopNonceCheck? nonces)
    {
        // The library-free header checks: RFC 9449 §4.3 steps 4 to 7.
        if (!header.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String ||
            !string.Equals(typ.GetString(), "dpop+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return DpopProofResult.Fail(DpopReasons.TypeInvalid);
        }

        if (!header.TryGetProperty("alg", out var algElement) || algElement.ValueKind != JsonValueKind.String ||
            algElement.GetString() is not { } alg || !_algorithms.Contains(alg))
        {
            return DpopProofResult.Fail(DpopReasons.AlgorithmNotAllowed);
        }

        // No critical extension is understood (b64=false would change what is signed).
        if (header.TryGetProperty("crit", out _))
        {
            return DpopProofResult.Fail(DpopReasons.ProofInvalid);
        }

        if (!header.TryGetProperty("jwk", out var jwkElement))
        {
            return DpopProofResult.Fail(DpopReasons.JwkInvalid);
        }

        switch (PublicJwk.TryParse(jwkElement, out var jwk))
        {
            case PublicJwkStatus.Private:
                return DpopProofResult.Fail(DpopReasons.JwkPrivate);
            case PublicJwkStatus.Invalid:
                return DpopProofResult.Fail(DpopReasons.JwkInvalid);
        }

        if (!jwk!.Fits(alg))
        {
            return DpopProofResult.Fail(DpopReasons.JwkInvalid);
        }

        var thumbprint = JwkThumbprint.Compute(jwk);
        if (expectedJkt is not null && !string.Equals(thumbprint, expectedJkt, StringComparison.Ordinal))
        {
            return DpopProofResult.Fail(DpopReasons.KeyMismatch);
        }

        // Claims: steps 8 to 12.
        if (payload.ValueKind != JsonValueKind.Object ||
            !payload.TryGetProperty("jti", out var jtiElement) || jtiElement.ValueKind != JsonValueKind.String ||
            !payload.TryGetProperty("htm", out var htm) || htm.ValueKind != JsonValueKind.String ||
            !payload.TryGetProperty("htu", out var htuElement) || htuElement.ValueKind != JsonValueKind.String ||
            !payload.TryGetProperty("iat", out var iatElement) || iatElement.ValueKind != JsonValueKind.Number ||
            !iatElement.TryGetInt64(out var iat) || iat < 0)
        {
            return DpopProofResult.Fail(DpopReasons.ProofInvalid);
        }

        var jti = jtiElement.GetString();
        if (string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength)
        {
            return DpopProofResult.Fail(DpopReasons.ProofInvalid);
        }

        if (!htm.ValueEquals(method))
        {
            return DpopProofResult.Fail(DpopReasons.HtmMismatch);
        }

        if (!HtuMatches(htuElement.GetString()!, htu))
        {
            return DpopProofResult.Fail(DpopReasons.HtuMismatch);
        }

        var seconds = now.ToUnixTimeSeconds();
        if (iat < seconds - _pastSeconds)
        {
            return DpopProofResult.Fail(DpopReasons.ProofStale);
        }

        if (iat > seconds + _futureSeconds)
        {
            return DpopProofResult.Fail(DpopReasons.ProofFuture);
        }

        if (!accessToken.IsEmpty && !AthMatches(payload, accessToken))
        {
            return DpopProofResult.Fail(DpopReasons.AthMismatch);
        }

        if (nonces is not null)
        {
            if (!payload.TryGetProperty("nonce", out var nonce) || nonce.ValueKind != JsonValueKind.String)
            {
                return DpopProofResult.Fail(DpopReasons.NonceRequired);
            }

            if (!nonces.IsValid(nonce.GetString()!, now))
            {
                return DpopProofResult.Fail(DpopReasons.NonceInvalid);
            }
        }

        if (!VerifySignature(proof, second, alg, jwk, thumbprint))
        {
            return DpopProofResult.Fail(DpopReasons.SignatureInvalid);
        }

        return new DpopProofResult(null, jti, iat, thumbprint);
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> json)
    {
        // The reader does not check the UTF-8 inside string values; reading one later would throw.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(json, JsonOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Query and fragment of the proof's htu are ignored (step 9); the expected side is normalised by the caller.
    private static bool HtuMatches(string claimed, string expected)
    {
        var end = claimed.AsSpan().IndexOfAny('?', '#');
        var bare = end < 0 ? claimed : claimed[..end];
        return string.Equals(bare, expected, StringComparison.Ordinal) ||
               string.Equals(DpopHtu.Normalize(bare), expected, StringComparison.Ordinal);
    }

    private static bool AthMatches(JsonElement payload, ReadOnlySpan<char> accessToken)
    {
        if (!payload.TryGetProperty("ath", out var ath) || ath.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        // ath = base64url(SHA-256(ASCII(token))); an access token is ASCII (RFC 6750 b64token), anything else never matches.
        if (accessToken.ContainsAnyExceptInRange((char)0x21, (char)0x7E))
        {
            return false;
        }

        var rented = ArrayPool<byte>.Shared.Rent(accessToken.Length);
        try
        {
            var length = Encoding.ASCII.GetBytes(accessToken, rented);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            LibCryptoSha256.Hash(rented.AsSpan(0, length), hash);
            Span<byte> encoded = stackalloc byte[Base64Url.GetEncodedLength(SHA256.HashSizeInBytes)];
            Base64Url.EncodeToUtf8(hash, encoded);
            return ath.ValueEquals(encoded);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool VerifySignature(ReadOnlySpan<char> proof, int second, string alg, PublicJwk jwk, string thumbprint)
    {
        var signatureText = proof[(second + 1)..];
        var signature = ArrayPool<byte>.Shared.Rent(Base64UrlStrict.DecodedLength(signatureText.Length));
        var input = ArrayPool<byte>.Shared.Rent(second);
        try
        {
            if (!Base64UrlStrict.TryDecode(signatureText, signature, out var signatureLength))
            {
                return false;
            }

            var inputLength = Encoding.ASCII.GetBytes(proof[..second], input);
            return jwk.Kty == "EC"
                ? VerifyEc(input.AsMemory(0, inputLength), signature.AsMemory(0, signatureLength), alg, jwk, thumbprint)
                : VerifyRsa(input.AsMemory(0, inputLength), signature.AsMemory(0, signatureLength), alg, jwk, thumbprint);
        }
        catch (CryptographicException)
        {
            // A point off the curve, a modulus the platform refuses: no valid signature either way.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(signature);
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    // The imported key is cached by thumbprint (the thumbprint names exactly the members imported here).
    private bool VerifyEc(ReadOnlyMemory<byte> input, ReadOnlyMemory<byte> signature, string alg, PublicJwk jwk, string thumbprint)
    {
        var size = PublicJwk.CoordinateSize(jwk.Crv!)!.Value;
        if (signature.Length != 2 * size)
        {
            return false;
        }

        return _keys.Verify(
            thumbprint,
            () => ECDsa.Create(new ECParameters
            {
                Curve = PublicJwk.Curve(jwk.Crv!),
                Q = new ECPoint { X = Base64UrlStrict.Decode(jwk.X!), Y = Base64UrlStrict.Decode(jwk.Y!) },
            }),
            key => ((ECDsa)key).VerifyData(input.Span, signature.Span, Hash(alg), DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    private bool VerifyRsa(ReadOnlyMemory<byte> input, ReadOnlyMemory<byte> signature, string alg, PublicJwk jwk, string thumbprint)
    {
        var modulus = Base64UrlStrict.Decode(jwk.N!);
        if (modulus is null || signature.Length != modulus.Length)
        {
            return false;
        }

        var padding = alg[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        return _keys.Verify(
            thumbprint,
            () => RSA.Create(new RSAParameters { Modulus = modulus, Exponent = Base64UrlStrict.Decode(jwk.E!) }),
            key => ((RSA)key).VerifyData(input.Span, signature.Span, Hash(alg), padding));
    }

    // The proof's alg passed the allow-list (asymmetric algorithms only), so it names a hash.
    private static HashAlgorithmName Hash(string alg) => Algorithms.HashOf(alg)!.Value;
}
