using Microsoft.Extensions.Options;

namespace Gateway.Health;

internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var errors = new List<string>();
        if (options.CheckTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{HealthOptions.SectionName}:CheckTimeout: must be positive");
        }

        if (options.ProbeInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{HealthOptions.SectionName}:ProbeInterval: must be at least 00:00:01");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var errors = new List<string>();
        if (options.Delay < TimeSpan.Zero)
        {
            errors.Add($"{ShutdownOptions.SectionName}:Delay: must not be negative");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{ShutdownOptions.SectionName}:Timeout: must be positive");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
