using Microsoft.Extensions.Options;

namespace Gateway.OperatorConsole;

internal sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var errors = new List<string>();
        const string prefix = ConsoleOptions.SectionName;
        if (options.IdleTimeout < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{prefix}:IdleTimeout: must be at least 00:01:00");
        }

        if (options.MaxLifetime < options.IdleTimeout)
        {
            errors.Add($"{prefix}:MaxLifetime: must be at least {prefix}:IdleTimeout");
        }

        if (options.MaxSessions < 1)
        {
            errors.Add($"{prefix}:MaxSessions: must be at least 1");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
