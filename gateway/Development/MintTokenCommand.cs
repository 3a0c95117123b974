using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Development;

/// <summary>
/// <c>dotnet run --project gateway -- mint-token --sub alice [--sid s1] [--jti id] [--ver 1] [--ttl 00:15:00] [--aud api] [--dpop-key file]</c>:
/// prints a token signed by the development key, for trying the gateway out. With <c>--dpop-key</c> the token is
/// DPoP-bound (<c>cnf.jkt</c>) to the key in that file (created if missing); <c>mint-token dpop-proof</c> then makes
/// the proofs (see <see cref="DpopProofCommand"/>).
/// </summary>
internal static class MintTokenCommand
{
    public const string Name = "mint-token";

    public static int Run(string[] args, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (args.Length > 1 && args[1] == DpopProofCommand.Name)
        {
            return DpopProofCommand.Run(args[2..], output, error);
        }

        var options = new DevelopmentOptions();
        configuration.GetSection(DevelopmentOptions.SectionName).Bind(options);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error.WriteLine($"mint-token: unexpected argument '{args[i]}'. Usage: mint-token --sub <user> [--sid <session>] [--jti <id>] [--ver <n>] [--ttl <hh:mm:ss>] [--aud <audience>] [--dpop-key <file>]; mint-token dpop-proof --key <file> --method <m> --url <url> [--token <t>]");
                return 2;
            }

            values[args[i][2..]] = args[++i];
        }

        if (!values.TryGetValue("sub", out var sub) || string.IsNullOrWhiteSpace(sub))
        {
            error.WriteLine("mint-token: --sub is required");
            return 2;
        }

        var ttl = TimeSpan.FromMinutes(15);
        if (values.TryGetValue("ttl", out var ttlText) && !TimeSpan.TryParse(ttlText, CultureInfo.InvariantCulture, out ttl))
        {
            error.WriteLine("mint-token: --ttl must be a time span such as 00:15:00");
            return 2;
        }

        var key = DevelopmentKey.LoadOrCreate(options.KeyFile);
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = sub,
            ["jti"] = values.GetValueOrDefault("jti") ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ["iat"] = now.ToUnixTimeSeconds(),
        };
        if (values.TryGetValue("sid", out var sid))
        {
            claims["sid"] = sid;
        }

        if (values.TryGetValue("ver", out var ver))
        {
            if (!long.TryParse(ver, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                error.WriteLine("mint-token: --ver must be a whole number");
                return 2;
            }

            claims["ver"] = version;
        }

        if (values.TryGetValue("dpop-key", out var dpopKeyPath))
        {
            try
            {
                using var dpopKey = DpopKeyFile.Load(dpopKeyPath, create: true);
                claims["cnf"] = new Dictionary<string, object> { ["jkt"] = DpopKeyFile.Thumbprint(dpopKey) };
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"mint-token: --dpop-key: {ex.Message}");
                return 2;
            }
        }

        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = values.GetValueOrDefault("aud") ?? options.Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(ttl).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
        output.WriteLine(token);
        return 0;
    }
}
