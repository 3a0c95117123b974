using Microsoft.Extensions.Options;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>Checks <c>Gateway:ForwardedHeaders</c> and names every entry at fault.</summary>
internal sealed class ForwardedHeadersTrustOptionsValidator : IValidateOptions<ForwardedHeadersTrustOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwardedHeadersTrustOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!TrustedProxies.TryParseEntry(options.TrustedProxies[i], out _))
            {
                errors.Add($"{ForwardedHeadersTrustOptions.SectionName}:TrustedProxies:{i}: '{options.TrustedProxies[i]}' is not an IP address or a CIDR network without host bits (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
