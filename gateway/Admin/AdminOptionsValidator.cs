using Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>Refuses an admin listener reachable beyond loopback without keys, and weak keys.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    public const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var errors = new List<string>();
        const string prefix = AdminOptions.SectionName;
        var keys = options.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).ToList();
        if (keys.Count == 0 && !Listeners.IsLoopbackOnly(options.Urls))
        {
            errors.Add($"{prefix}:ApiKeys: the admin listener '{options.Urls}' is not loopback-only, so at least one API key is required");
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            if (string.IsNullOrEmpty(options.ApiKeys[i]) || options.ApiKeys[i].Length < MinimumKeyLength)
            {
                errors.Add($"{prefix}:ApiKeys:{i}: an API key must be at least {MinimumKeyLength} characters");
            }
        }

        if (options.MaxBodySize is < 1024 or > 1024 * 1024)
        {
            errors.Add($"{prefix}:MaxBodySize: must be between 1024 and 1048576 bytes");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
