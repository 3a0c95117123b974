using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// Checks <c>Gateway:ClientCertificates</c>: a forwarded certificate header must be a header name, and is only
/// safe behind trusted proxies (anyone else could send a certificate they do not hold).
/// </summary>
internal sealed class ClientCertificateOptionsValidator : IValidateOptions<ClientCertificateOptions>
{
    private static readonly string[] Reserved = ["Authorization", "DPoP", "Host", "Cookie", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"];

    private readonly IOptions<ForwardedHeadersTrustOptions> _trust;

    public ClientCertificateOptionsValidator(IOptions<ForwardedHeadersTrustOptions> trust)
    {
        _trust = trust;
    }

    public ValidateOptionsResult Validate(string? name, ClientCertificateOptions options)
    {
        var errors = new List<string>();
        const string key = ClientCertificateOptions.SectionName + ":ForwardedHeader";
        if (options.ForwardedHeader is { } header)
        {
            if (!HeaderNameRule.IsHeaderName(header))
            {
                errors.Add($"{key}: '{header}' is not a header name");
            }
            else if (Reserved.Contains(header, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{key}: '{header}' carries something else; name the header the proxy writes the certificate to");
            }

            if (_trust.Value.TrustedProxies.Count == 0)
            {
                errors.Add($"{key}: needs {ForwardedHeadersTrustOptions.SectionName}:TrustedProxies (a forwarded certificate is believed only from a trusted proxy)");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
