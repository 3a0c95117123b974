using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Gate.ProofOfPossession;

namespace Gateway.Development;

/// <summary>
/// A client's DPoP key for trying DPoP out with <c>mint-token</c>: an EC P-256 private key kept in a file this user
/// alone can read, as a JWK (any name) or PKCS#8 PEM (a <c>.pem</c> name). Created on first use.
/// </summary>
internal static class DpopKeyFile
{
    /// <summary>Loads the key, creating the file when <paramref name="create"/> and it does not exist; throws <see cref="FormatException"/> for an unusable file.</summary>
    public static ECDsa Load(string path, bool create)
    {
        if (!File.Exists(path))
        {
            if (!create)
            {
                throw new FormatException($"no key file at '{path}' (mint the token with --dpop-key first)");
            }

            return Create(path);
        }

        var text = File.ReadAllText(path).Trim();
        var key = ECDsa.Create();
        try
        {
            if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                key.ImportFromPem(text);
            }
            else
            {
                if (JsonNode.Parse(text) is not JsonObject jwk || Member(jwk, "kty") != "EC" || Member(jwk, "crv") != "P-256")
                {
                    throw new FormatException($"'{path}' is not an EC P-256 JWK");
                }

                key.ImportParameters(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = Bytes(jwk, "x", path), Y = Bytes(jwk, "y", path) },
                    D = Bytes(jwk, "d", path),
                });
            }

            if (key.KeySize != 256)
            {
                throw new FormatException($"'{path}' is not a P-256 key");
            }

            return key;
        }
        catch (Exception ex) when (ex is JsonException or CryptographicException or ArgumentException or InvalidOperationException)
        {
            key.Dispose();
            throw new FormatException($"'{path}' is neither an EC P-256 private JWK nor a PEM private key: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static string? Member(JsonObject jwk, string name) =>
        jwk[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static byte[] Bytes(JsonObject jwk, string name, string path) =>
        Member(jwk, name) is { } text ? Base64Url.DecodeFromChars(text) : throw new FormatException($"'{path}' has no \"{name}\" member");

    /// <summary>The public JWK members a DPoP proof's <c>jwk</c> header carries.</summary>
    public static JsonObject PublicJwk(ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(p.Q.X),
            ["y"] = Base64Url.EncodeToString(p.Q.Y),
        };
    }

    /// <summary>The RFC 7638 thumbprint, the <c>cnf.jkt</c> of a token bound to this key.</summary>
    public static string Thumbprint(ECDsa key) =>
        JwkThumbprint.TryCompute(PublicJwk(key).ToJsonString(), out var thumbprint) ? thumbprint : throw new InvalidOperationException("unusable key");

    private static ECDsa Create(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string text;
        if (path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase))
        {
            text = key.ExportPkcs8PrivateKeyPem();
        }
        else
        {
            var jwk = PublicJwk(key);
            jwk["d"] = Base64Url.EncodeToString(key.ExportParameters(includePrivateParameters: true).D);
            text = jwk.ToJsonString();
        }

        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        // Created readable by this user only before the private key is written into it.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        return key;
    }
}
