using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var errors = new List<string>();
        const string prefix = SessionOptions.SectionName;
        if (options.MaxSessionLifetime < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{prefix}:MaxSessionLifetime: must be at least 00:01:00");
        }

        if (options.RateSpike.Threshold < 1)
        {
            errors.Add($"{prefix}:RateSpike:Threshold: must be at least 1");
        }

        if (options.RateSpike.Window < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{prefix}:RateSpike:Window: must be at least 00:00:01");
        }

        if (options.RateSpike.MaxTrackedTokens < 2)
        {
            errors.Add($"{prefix}:RateSpike:MaxTrackedTokens: must be at least 2");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

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

        if (!Enum.IsDefined(options.FailureMode))
        {
            errors.Add($"{prefix}:FailureMode: must be Closed or Open");
        }

        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{prefix}:Timeout: must be between 00:00:00.010 and 00:00:30");
        }

        if (options.MaxStaleness < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{prefix}:MaxStaleness: must be at least 00:00:01");
        }

        if (options.LocalCacheSize < 0)
        {
            errors.Add($"{prefix}:LocalCacheSize: must not be negative");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
