using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LoadTests.Tokens;

/// <summary>
/// DPoP proofs (RFC 9449) by one P-256 key, quickly: the header (<c>typ</c>, <c>alg</c>, public <c>jwk</c>) is encoded
/// once, each proof is a fresh <c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c> and <c>ath</c> and one ECDSA signature.
/// One ECDsa per thread.
/// </summary>
internal sealed class DpopProofMinter : IDisposable
{
    private readonly ThreadLocal<ECDsa> _ecdsa;
    private readonly string _header;

    public DpopProofMinter()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        _ecdsa = new ThreadLocal<ECDsa>(() => ECDsa.Create(parameters), trackAllValues: true);
        var x = Base64Url.EncodeToString(parameters.Q.X);
        var y = Base64Url.EncodeToString(parameters.Q.Y);
        _header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["typ"] = "dpop+jwt",
            ["alg"] = "ES256",
            ["jwk"] = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = x, ["y"] = y },
        }));
        // RFC 7638: the required members in lexicographic order.
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));
    }

    /// <summary>The <c>cnf.jkt</c> of tokens bound to this key.</summary>
    public string Thumbprint { get; }

    /// <summary><c>ath</c>: base64url(SHA-256(token)).</summary>
    public static string Ath(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    public string Proof(string method, string htu, string ath, long iat)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12)),
            ["htm"] = method,
            ["htu"] = htu,
            ["iat"] = iat,
            ["ath"] = ath,
        });
        var input = _header + "." + Base64Url.EncodeToString(payload);
        var signature = _ecdsa.Value!.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose()
    {
        foreach (var ecdsa in _ecdsa.Values)
        {
            ecdsa.Dispose();
        }

        _ecdsa.Dispose();
    }
}
