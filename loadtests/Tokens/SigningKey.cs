using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace LoadTests.Tokens;

/// <summary>An ES256 key as a JWK (the gateway's development key file has the same shape), with its public JWKS.</summary>
internal sealed class SigningKey
{
    private SigningKey(ECParameters parameters, string kid)
    {
        Parameters = parameters;
        Kid = kid;
    }

    public ECParameters Parameters { get; }

    public string Kid { get; }

    public static SigningKey Generate(string? kid = null)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKey(ecdsa.ExportParameters(includePrivateParameters: true), kid ?? "lt-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
    }

    /// <summary>Reads a private EC P-256 JWK (<c>kty</c>, <c>crv</c>, <c>x</c>, <c>y</c>, <c>d</c>, <c>kid</c>).</summary>
    public static SigningKey Load(string path)
    {
        var jwk = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path}: not a JSON object");
        if ((string?)jwk["kty"] != "EC" || (string?)jwk["crv"] != "P-256")
        {
            throw new FormatException($"{path}: an EC P-256 private JWK (ES256) is required");
        }

        var d = (string?)jwk["d"] ?? throw new FormatException($"{path}: the private part 'd' is missing");
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes((string?)jwk["x"]), Y = Base64UrlEncoder.DecodeBytes((string?)jwk["y"]) },
            D = Base64UrlEncoder.DecodeBytes(d),
        };
        return new SigningKey(parameters, (string?)jwk["kid"] ?? "");
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, PrivateJwk().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public ECDsa CreateEcdsa() => ECDsa.Create(Parameters);

    /// <summary>The public key as a PEM SubjectPublicKeyInfo (what HAProxy's <c>jwt_verify</c> loads).</summary>
    public string PublicKeyPem()
    {
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = Parameters.Curve, Q = Parameters.Q });
        return ecdsa.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    public JsonObject PrivateJwk()
    {
        var jwk = PublicJwk();
        jwk["d"] = Base64UrlEncoder.Encode(Parameters.D);
        return jwk;
    }

    public JsonObject PublicJwk() => new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = Base64UrlEncoder.Encode(Parameters.Q.X),
        ["y"] = Base64UrlEncoder.Encode(Parameters.Q.Y),
        ["alg"] = "ES256",
        ["use"] = "sig",
        ["kid"] = Kid,
    };

    /// <summary>The public JWKS document, as the gateway's inline <c>Jwks</c> setting takes it.</summary>
    public string PublicJwks() => new JsonObject { ["keys"] = new JsonArray(PublicJwk()) }.ToJsonString();
}
