using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Redis;

internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var errors = new List<string>();
        const string prefix = RedisOptions.SectionName;
        if (!string.IsNullOrWhiteSpace(options.Configuration))
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(options.Configuration);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{prefix}:Configuration: {ex.Message}");
            }
        }

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.IndexOfAny(['{', '}', ' ']) >= 0)
        {
            errors.Add($"{prefix}:KeyPrefix: must be non-empty, without braces or spaces");
        }

        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{prefix}:Timeout: must be between 00:00:00.010 and 00:00:30");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
