using Gateway.Testing.Attacks;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Gate.ProofOfPossession;

using Gateway.Testing;

namespace Gateway.Tests.Gate.ProofOfPossession;

/// <summary>A DPoP proof a test can bend in any way: header, payload and signer are open; signing is raw (no library in the way).</summary>
internal sealed class ProofBuilder
{
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public const string Method = "GET";
    public const string Htu = "https://api.example.com/orders";
    public const string AccessToken = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

    private ProofBuilder(TestKey key)
    {
        Key = key;
        Signer = key.Sign;
        var jwk = key.PublicJwk(includeAlg: false);
        jwk.Remove("kid");
        jwk.Remove("use");
        Header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = key.Alg, ["jwk"] = jwk };
        Payload = new JsonObject
        {
            ["jti"] = "jti-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ["htm"] = Method,
            ["htu"] = Htu,
            ["iat"] = Now.ToUnixTimeSeconds(),
            ["ath"] = Ath(AccessToken),
        };
    }

    public TestKey Key { get; }

    public JsonObject Header { get; }

    public JsonObject Payload { get; }

    public Func<byte[], byte[]> Signer { get; set; }

    /// <summary>The <c>cnf.jkt</c> of a token bound to <see cref="Key"/>.</summary>
    public string Jkt => Thumbprint(Key);

    public static ProofBuilder For(TestKey key) => new(key);

    public static string Thumbprint(TestKey key) =>
        JwkThumbprint.TryCompute(key.PublicJwk().ToJsonString(), out var thumbprint) ? thumbprint : throw new InvalidOperationException();

    public static string Ath(string token) => Jose.B64(SHA256.HashData(Encoding.ASCII.GetBytes(token)));

    public ProofBuilder With(Action<ProofBuilder> change)
    {
        change(this);
        return this;
    }

    public string Build() => Jose.Sign(Header, Payload, Signer);

    public static DpopProofValidator Validator(Action<DpopOptions>? configure = null)
    {
        var options = new DpopOptions();
        configure?.Invoke(options);
        return new DpopProofValidator(options);
    }
}
