using Gateway.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Signals;

/// <summary>One configured transmitter as the receiver uses it: its keys, <c>alg</c> allow-list and validation parameters.</summary>
internal sealed class Transmitter
{
    public Transmitter(TransmitterOptions options, IssuerKeys keys, IEnumerable<string> algorithms, TimeSpan clockSkew)
    {
        Options = options;
        Keys = keys;
        Algorithms = new HashSet<string>(algorithms, StringComparer.Ordinal);
        EmailSubjects = new Dictionary<string, string>(options.EmailSubjects, StringComparer.OrdinalIgnoreCase);
        Parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidateIssuer = true,
            ValidAudience = options.Audience,
            ValidateAudience = true,
            RequireAudience = true,
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidAlgorithms = Algorithms,
            // A SET states a fact at iat; it carries no exp (the receiver bounds iat itself).
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ClockSkew = clockSkew,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
            ValidateIssuerSigningKey = false,
            SaveSigninToken = false,
            IssuerSigningKeyResolver = (_, securityToken, kid, _) =>
                securityToken is JsonWebToken jwt && keys.Current.Find(kid, jwt.Alg) is { } key ? [key.Key] : [],
        };
    }

    public TransmitterOptions Options { get; }

    /// <summary>The token issuer this transmitter speaks for (its subjects are that issuer's users).</summary>
    public string Issuer => Options.Issuer!;

    public IssuerKeys Keys { get; }

    public HashSet<string> Algorithms { get; }

    public Dictionary<string, string> EmailSubjects { get; }

    public TokenValidationParameters Parameters { get; }
}
