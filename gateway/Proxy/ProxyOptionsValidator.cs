using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        var headers = options.IdentityHeaders;
        foreach (var (key, value) in headers.All)
        {
            if (!string.IsNullOrEmpty(value) && (value.Any(c => c <= ' ' || c >= 127 || c == ':') ||
                string.Equals(value, "Authorization", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "Host", StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{ProxyOptions.SectionName}:IdentityHeaders:{key}: '{value}' is not a usable header name");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
