using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Development;

/// <summary>The development issuer's ES256 key: created on first use, kept in a file only this user can read.</summary>
internal static class DevelopmentKey
{
    public static string DefaultPath => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "gateway-dev", "signing-key.json");

    public static JsonWebKey LoadOrCreate(string? path)
    {
        path ??= DefaultPath;
        if (File.Exists(path))
        {
            return new JsonWebKey(File.ReadAllText(path));
        }

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = ecdsa.ExportParameters(includePrivateParameters: true);
        var jwk = new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["d"] = Base64UrlEncoder.Encode(p.D),
            ["alg"] = "ES256",
            ["use"] = "sig",
            ["kid"] = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, jwk.ToJsonString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new JsonWebKey(jwk.ToJsonString());
    }

    /// <summary>The public half as a JWKS document.</summary>
    public static string PublicJwks(JsonWebKey key) => new JsonObject
    {
        ["keys"] = new JsonArray(new JsonObject
        {
            ["kty"] = key.Kty, ["crv"] = key.Crv, ["x"] = key.X, ["y"] = key.Y,
            ["alg"] = key.Alg, ["use"] = "sig", ["kid"] = key.Kid,
        }),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
