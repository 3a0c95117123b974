using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Development;

/// <summary>
/// <c>mint-token dpop-proof --key &lt;file&gt; --method GET --url http://host/path [--token &lt;access token&gt;] [--nonce &lt;n&gt;]</c>:
/// prints a DPoP proof (RFC 9449) for one request, signed by the key a token was bound to with <c>--dpop-key</c>.
/// </summary>
internal static class DpopProofCommand
{
    public const string Name = "dpop-proof";

    // "dpop+jwt", not "dpop\u002Bjwt": the same JSON, but what a reader of the proof expects to see.
    private static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Usage = "Usage: mint-token dpop-proof --key <file> --method <GET|POST|...> --url <http(s)://host/path> [--token <access token>] [--nonce <nonce>]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                error.WriteLine($"mint-token: unexpected argument '{args[i]}'. {Usage}");
                return 2;
            }

            values[args[i][2..]] = args[++i];
        }

        foreach (var required in (string[])["key", "method", "url"])
        {
            if (!values.TryGetValue(required, out var value) || string.IsNullOrWhiteSpace(value))
            {
                error.WriteLine($"mint-token: --{required} is required. {Usage}");
                return 2;
            }
        }

        if (!Uri.TryCreate(values["url"], UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            error.WriteLine("mint-token: --url must be an absolute http or https URL");
            return 2;
        }

        ECDsa key;
        try
        {
            key = DpopKeyFile.Load(values["key"], create: false);
        }
        catch (FormatException ex)
        {
            error.WriteLine($"mint-token: --key: {ex.Message}");
            return 2;
        }

        using (key)
        {
            output.WriteLine(Create(key, values["method"], url, values.GetValueOrDefault("token"), values.GetValueOrDefault("nonce"), DateTimeOffset.UtcNow));
        }

        return 0;
    }

    /// <summary>A proof for <paramref name="method"/> on <paramref name="url"/> (query and fragment left out of <c>htu</c>).</summary>
    public static string Create(ECDsa key, string method, Uri url, string? accessToken, string? nonce, DateTimeOffset now)
    {
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = DpopKeyFile.PublicJwk(key) };
        var payload = new JsonObject
        {
            ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["htm"] = method,
            ["htu"] = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped),
            ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (!string.IsNullOrEmpty(accessToken))
        {
            payload["ath"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        if (!string.IsNullOrEmpty(nonce))
        {
            payload["nonce"] = nonce;
        }

        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString(Plain))) + "." +
                    Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString(Plain)));
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }
}
