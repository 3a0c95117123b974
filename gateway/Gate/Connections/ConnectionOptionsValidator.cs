using Microsoft.Extensions.Options;

namespace Gateway.Gate.Connections;

internal sealed class ConnectionOptionsValidator : IValidateOptions<ConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionOptions options)
    {
        var errors = new List<string>();
        const string prefix = ConnectionOptions.SectionName;
        if (options.MaxConnections < 1)
        {
            errors.Add($"{prefix}:MaxConnections: must be at least 1");
        }

        if (options.TokenRevocationGrace < TimeSpan.Zero || options.TokenRevocationGrace > TimeSpan.FromHours(1))
        {
            errors.Add($"{prefix}:TokenRevocationGrace: must be from 00:00:00 to 01:00:00");
        }

        if (options.RejudgeInterval < TimeSpan.FromSeconds(1) || options.RejudgeInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{prefix}:RejudgeInterval: must be from 00:00:01 to 1.00:00:00");
        }

        if (options.CloseTimeout < TimeSpan.FromMilliseconds(100) || options.CloseTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{prefix}:CloseTimeout: must be from 00:00:00.1 to 00:01:00");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
