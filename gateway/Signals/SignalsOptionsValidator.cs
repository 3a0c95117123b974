using System.Net;
using Gateway.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Signals;

/// <summary>Start-up validation of <c>Gateway:Signals</c>; every message names its key.</summary>
internal sealed class SignalsOptionsValidator(IOptions<TokenOptions> tokens) : IValidateOptions<SignalsOptions>
{
    public ValidateOptionsResult Validate(string? name, SignalsOptions options)
    {
        var errors = new List<string>();
        var prefix = SignalsOptions.SectionName;
        if (options.MaxSetAge < TimeSpan.FromMinutes(1) || options.MaxSetAge > TimeSpan.FromDays(7))
        {
            errors.Add($"{prefix}:MaxSetAge: must be between 00:01:00 and 7.00:00:00");
        }

        var issuers = tokens.Value.Issuers.Where(i => i.Issuer is not null).ToDictionary(i => i.Issuer!, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Transmitters.Count; i++)
        {
            var t = options.Transmitters[i];
            var key = $"{prefix}:Transmitters:{i}";
            if (string.IsNullOrWhiteSpace(t.Issuer) || !issuers.TryGetValue(t.Issuer, out var issuer))
            {
                errors.Add($"{key}:Issuer: must be a configured token issuer (the exact Gateway:Tokens:Issuers:N:Issuer string)");
                issuer = null;
            }
            else if (!seen.Add(t.Issuer))
            {
                errors.Add($"{key}:Issuer: '{t.Issuer}' has another transmitter already");
            }

            if (string.IsNullOrWhiteSpace(t.Audience))
            {
                errors.Add($"{key}:Audience: required (the aud the transmitter puts in every SET for this receiver)");
            }

            CheckUri(t.JwksUri, $"{key}:JwksUri", errors);
            CheckUri(t.PollEndpoint, $"{key}:PollEndpoint", errors);
            if (t.JwksUri is null && issuer is not null && string.IsNullOrEmpty(issuer.JwksUri) && string.IsNullOrEmpty(issuer.Jwks))
            {
                errors.Add($"{key}:JwksUri: the issuer has no keys of its own; name the transmitter's JWKS");
            }

            var algorithms = t.Algorithms.Count > 0 ? t.Algorithms : issuer?.Algorithms ?? [];
            if (algorithms.Count == 0 || algorithms.Exists(a => !Algorithms.IsKnown(a)))
            {
                errors.Add($"{key}:Algorithms: must list asymmetric JWS algorithms (e.g. ES256, RS256, PS256)");
            }

            if (t.PollInterval < TimeSpan.FromMilliseconds(100) || t.PollInterval > TimeSpan.FromHours(1))
            {
                errors.Add($"{key}:PollInterval: must be between 00:00:00.1 and 01:00:00");
            }

            if (t.MaxEvents is < 1 or > 1000)
            {
                errors.Add($"{key}:MaxEvents: must be between 1 and 1000");
            }

            foreach (var (email, sub) in t.EmailSubjects)
            {
                if (!ClaimIds.IsValid(sub))
                {
                    errors.Add($"{key}:EmailSubjects:{email}: the sub must be {ClaimIds.Rule}");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckUri(string? value, string key, List<string> errors)
    {
        if (value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri))))
        {
            errors.Add($"{key}: must be an absolute https URI (http only on a loopback address)");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IPAddress.IsLoopback(ip));
}
