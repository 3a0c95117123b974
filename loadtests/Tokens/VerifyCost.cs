using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LoadTests.Tokens;

/// <summary>
/// What one ES256 token costs to verify on this machine, single-threaded, in CPU time: the platform's ECDSA check, the
/// gateway's two libcrypto paths (<c>EVP_PKEY_verify</c> direct, <see cref="Gateway.Tokens.OpenSslEcdsaKey"/>, and the
/// key's precomputed table, <see cref="Gateway.Tokens.P256KeyTable"/>, which a key takes from its first check on; null
/// where libcrypto 3 is missing), and the full <see cref="JsonWebTokenHandler"/> validation. The floor under unique-tokens.
/// </summary>
internal static class VerifyCost
{
    private delegate bool? Check(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature);

    public static async Task<(double EcdsaMicros, double? DirectMicros, double? TableMicros, double HandlerMicros)> MeasureAsync(SigningKey key, string issuer, string audience, int iterations = 2000)
    {
        using var minter = new TokenMinter(key, issuer, audience);
        var now = TokenMinter.Now;
        var tokens = Enumerable.Range(0, iterations).Select(i => minter.Mint(new TokenClaims($"v-{i}", "s", $"j-{i}", now, now + 600))).ToArray();
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = key.Parameters.Curve, Q = key.Parameters.Q });
        var inputs = tokens.Select(t =>
        {
            var dot = t.LastIndexOf('.');
            return (Encoding.ASCII.GetBytes(t[..dot]), Base64UrlEncoder.DecodeBytes(t[(dot + 1)..]));
        }).ToArray();
        for (var i = 0; i < 200; i++)
        {
            ecdsa.VerifyData(inputs[i].Item1, inputs[i].Item2, HashAlgorithmName.SHA256);
        }

        var start = Cpu();
        foreach (var (data, signature) in inputs)
        {
            if (!ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256))
            {
                throw new InvalidOperationException("VerifyCost: a minted token does not verify");
            }
        }

        var ecdsaMicros = (Cpu() - start).TotalMicroseconds / iterations;
        var directMicros = Gateway.Tokens.OpenSslEcdsaKey.TryCreate(ecdsa) is { } evp ? MeasureDirect(evp.Verify, inputs) : (double?)null;
        var tableMicros = Gateway.Tokens.P256KeyTable.TryCreate(ecdsa) is { } table ? MeasureDirect(table.Verify, inputs) : (double?)null;
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = audience,
            IssuerSigningKey = new ECDsaSecurityKey(ecdsa) { KeyId = key.Kid },
            ValidAlgorithms = ["ES256"],
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        for (var i = 0; i < 200; i++)
        {
            await handler.ValidateTokenAsync(tokens[i], parameters);
        }

        start = Cpu();
        foreach (var token in tokens)
        {
            var result = await handler.ValidateTokenAsync(token, parameters);
            if (!result.IsValid)
            {
                throw new InvalidOperationException("VerifyCost: JsonWebTokenHandler refused a minted token: " + result.Exception?.Message);
            }
        }

        return (ecdsaMicros, directMicros, tableMicros, (Cpu() - start).TotalMicroseconds / iterations);
    }

    private static double MeasureDirect(Check direct, (byte[] Data, byte[] Signature)[] inputs)
    {
        // A second of warm-up: the table path's managed parts (the order inverse) must reach tiered JIT's final code,
        // as they have in a gateway under load, or the first thousands of calls measure the JIT.
        Span<byte> digest = stackalloc byte[32];
        var warm = Stopwatch.StartNew();
        for (var i = 0; warm.ElapsedMilliseconds < 1000; i = (i + 1) % inputs.Length)
        {
            SHA256.HashData(inputs[i].Data, digest);
            direct(digest, inputs[i].Signature);
        }

        var start = Cpu();
        foreach (var (data, signature) in inputs)
        {
            SHA256.HashData(data, digest);
            if (direct(digest, signature) != true)
            {
                throw new InvalidOperationException("VerifyCost: a minted token does not verify through libcrypto");
            }
        }

        return (Cpu() - start).TotalMicroseconds / inputs.Length;
    }

    /// <summary>CPU time rather than wall time: other processes on a shared machine do not inflate it.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
}
