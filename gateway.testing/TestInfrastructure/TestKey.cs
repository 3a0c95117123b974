using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Testing;

/// <summary>
/// A signing key made with System.Security.Cryptography (not the JWT library under test), its public JWK, and a raw
/// <see cref="Sign"/> so tests can build any token, hostile ones included.
/// </summary>
public sealed class TestKey : IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private TestKey(string alg, string kid, ECDsa? ecdsa, RSA? rsa)
    {
        Alg = alg;
        Kid = kid;
        _ecdsa = ecdsa;
        _rsa = rsa;
    }

    /// <summary>The JWS <c>alg</c> this key signs with: ES256, ES384, RS256, PS256, ...</summary>
    public string Alg { get; }

    public string Kid { get; }

    private static readonly Lazy<TestKey> SharedRsa = new(() => Rs256("shared-rs256"));
    private static readonly Lazy<TestKey> SharedPss = new(() => Ps256("shared-ps256"));
    private static readonly Lazy<TestKey> SharedEc = new(() => Es256("shared-es256"));

    /// <summary>
    /// Process-wide keys for tests that need some key but no fresh one (never dispose them). RSA key generation is
    /// slow on a busy machine: prefer these, a fixture's keys or ES256 keys over new RSA keys per test.
    /// </summary>
    public static TestKey SharedRs256 => SharedRsa.Value;

    /// <inheritdoc cref="SharedRs256"/>
    public static TestKey SharedPs256 => SharedPss.Value;

    /// <inheritdoc cref="SharedRs256"/>
    public static TestKey SharedEs256 => SharedEc.Value;

    public static TestKey Es256(string? kid = null) => new("ES256", kid ?? NewKid("es256"), ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static TestKey Es384(string? kid = null) => new("ES384", kid ?? NewKid("es384"), ECDsa.Create(ECCurve.NamedCurves.nistP384), null);

    public static TestKey Rs256(string? kid = null) => new("RS256", kid ?? NewKid("rs256"), null, RSA.Create(2048));

    public static TestKey Ps256(string? kid = null) => new("PS256", kid ?? NewKid("ps256"), null, RSA.Create(2048));

    /// <summary>A new key of the same algorithm under the same kid: signatures by it must fail against the original.</summary>
    public TestKey Impostor() => Alg switch
    {
        "ES256" => Es256(Kid),
        "ES384" => Es384(Kid),
        "RS256" => Rs256(Kid),
        "PS256" => Ps256(Kid),
        _ => throw new NotSupportedException(Alg),
    };

    /// <summary>The public JWK: kid, kty, crv/x/y or n/e, alg and use=sig.</summary>
    public JsonObject PublicJwk(bool includeAlg = true)
    {
        var jwk = new JsonObject { ["kid"] = Kid };
        if (_ecdsa is not null)
        {
            var p = _ecdsa.ExportParameters(includePrivateParameters: false);
            jwk["kty"] = "EC";
            jwk["crv"] = Alg switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" };
            jwk["x"] = Base64UrlEncoder.Encode(p.Q.X);
            jwk["y"] = Base64UrlEncoder.Encode(p.Q.Y);
        }
        else
        {
            var p = _rsa!.ExportParameters(includePrivateParameters: false);
            jwk["kty"] = "RSA";
            jwk["n"] = Base64UrlEncoder.Encode(p.Modulus);
            jwk["e"] = Base64UrlEncoder.Encode(p.Exponent);
        }

        if (includeAlg)
        {
            jwk["alg"] = Alg;
        }

        jwk["use"] = "sig";
        return jwk;
    }

    /// <summary>The public key as PEM text (SubjectPublicKeyInfo): what an attacker feeds to HS256 in a key-confusion attack.</summary>
    public string PublicKeyPem() => _ecdsa is not null ? _ecdsa.ExportSubjectPublicKeyInfoPem() : _rsa!.ExportSubjectPublicKeyInfoPem();

    /// <summary>The public key as DER bytes (SubjectPublicKeyInfo).</summary>
    public byte[] PublicKeyDer() => _ecdsa is not null ? _ecdsa.ExportSubjectPublicKeyInfo() : _rsa!.ExportSubjectPublicKeyInfo();

    /// <summary>Signs the JWS signing input (<c>base64url(header).base64url(payload)</c>) with this key's algorithm.</summary>
    public byte[] Sign(byte[] signingInput) => Alg switch
    {
        "ES256" => _ecdsa!.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        "ES384" => _ecdsa!.SignData(signingInput, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        "RS256" => _rsa!.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        "PS256" => _rsa!.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        _ => throw new NotSupportedException(Alg),
    };

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    private static string NewKid(string prefix) => prefix + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}
