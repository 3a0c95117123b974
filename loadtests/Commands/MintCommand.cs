using System.Security.Cryptography;
using LoadTests.Cli;
using LoadTests.Tokens;

namespace LoadTests.Commands;

/// <summary>
/// <c>mint --new-key FILE</c>: create an ES256 key and print its public JWKS.
/// <c>mint --key FILE --issuer ISS --audience AUD [--count N] [--sub PREFIX] [--ttl 1h] [--out FILE]</c>: tokens, one per line.
/// </summary>
internal static class MintCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Get("new-key") is { } newKey)
        {
            var created = SigningKey.Generate();
            created.Save(newKey);
            await Console.Error.WriteLineAsync($"wrote {newKey} (private ES256 JWK, kid {created.Kid}); its public JWKS for Gateway:Tokens:Issuers:N:Jwks:");
            await Console.Out.WriteLineAsync(created.PublicJwks());
            return 0;
        }

        var keyFile = line.Get("key") ?? throw new FormatException("mint: --key FILE (a private ES256 JWK) or --new-key FILE is required");
        var key = SigningKey.Load(keyFile);
        if (line.Has("jwks"))
        {
            await Console.Out.WriteLineAsync(key.PublicJwks());
            return 0;
        }

        var issuer = line.Get("issuer") ?? "https://dev.gateway.local";
        var audience = line.Get("audience") ?? "api";
        var count = line.GetInt("count", 1);
        var prefix = line.Get("sub") ?? "user";
        var ttl = line.GetDuration("ttl", TimeSpan.FromHours(1));
        var now = TokenMinter.Now;
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        using var minter = new TokenMinter(key, issuer, audience);
        var tokens = minter.MintMany(count, i => new TokenClaims(
            count == 1 ? prefix : $"{prefix}-{i}", $"sid-{run}-{i}", $"jti-{run}-{i}", now, now + (long)ttl.TotalSeconds));
        if (line.Get("out") is { } outFile)
        {
            await File.WriteAllLinesAsync(outFile, tokens, cancellationToken);
            await Console.Error.WriteLineAsync($"wrote {count:N0} tokens to {outFile} (iss {issuer}, aud {audience}, ttl {ttl})");
        }
        else
        {
            foreach (var token in tokens)
            {
                await Console.Out.WriteLineAsync(token);
            }
        }

        return 0;
    }
}
