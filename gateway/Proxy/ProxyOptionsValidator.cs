using Gateway.Gate;
using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    // The token's own header and the ones HTTP/1.1 keeps to one hop (RFC 9110 §7.6.1): a backend would never see an
    // identity header under such a name, or the connection would change meaning.
    private static readonly string[] Reserved =
        ["Authorization", "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"];

    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        var seen = new List<(string Key, string Name)>();
        foreach (var (key, value) in options.IdentityHeaders.All)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            var setting = $"{ProxyOptions.SectionName}:IdentityHeaders:{key}";
            if (!Usable(value))
            {
                errors.Add($"{setting}: '{value}' is not a usable header name (a token of RFC 9110 for a request header; not " +
                           "Authorization, Host, a hop-by-hop header or a Content-* header)");
            }
            else if (seen.FirstOrDefault(s => IdentityHeaders.SameFolded(s.Name, value)) is { Key: not null } earlier)
            {
                errors.Add($"{setting}: '{value}' is the same header as {ProxyOptions.SectionName}:IdentityHeaders:{earlier.Key} " +
                           "('_' and '-' alike, any case)");
            }

            seen.Add((key, value));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool Usable(string name)
    {
        if (!HeaderNameRule.IsHeaderName(name) || Reserved.Any(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        // HttpClient's own rule for a header a request carries: a Content-* header belongs to a body.
        using var probe = new HttpRequestMessage();
        return probe.Headers.TryAddWithoutValidation(name, "v");
    }
}
