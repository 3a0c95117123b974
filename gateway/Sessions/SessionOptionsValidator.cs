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

        if (!Enum.IsDefined(options.FailureMode))
        {
            errors.Add($"{prefix}:FailureMode: must be Closed or Open");
        }

        if (options.MaxStaleness < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{prefix}:MaxStaleness: must be at least 00:00:01");
        }

        if (options.LocalCacheSize < 0)
        {
            errors.Add($"{prefix}:LocalCacheSize: must not be negative");
        }

        if (options.DenylistReplicaSize < 0)
        {
            errors.Add($"{prefix}:DenylistReplicaSize: must not be negative");
        }

        if (options.DenylistReconcileInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{prefix}:DenylistReconcileInterval: must be at least 00:00:01");
        }

        if (options.RateSpike.Threshold < 1)
        {
            errors.Add($"{prefix}:RateSpike:Threshold: must be at least 1");
        }

        if (options.RateSpike.Window < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{prefix}:RateSpike:Window: must be at least 00:00:01");
        }

        if (options.RateSpike.FlushInterval < TimeSpan.FromMilliseconds(50) || options.RateSpike.FlushInterval > TimeSpan.FromSeconds(5) ||
            options.RateSpike.FlushInterval >= options.RateSpike.Window)
        {
            errors.Add($"{prefix}:RateSpike:FlushInterval: must be between 00:00:00.050 and 00:00:05, and shorter than RateSpike:Window");
        }

        if (options.RateSpike.MaxTrackedTokens < 2)
        {
            errors.Add($"{prefix}:RateSpike:MaxTrackedTokens: must be at least 2");
        }

        if (options.TokenReplacedGrace < TimeSpan.Zero)
        {
            errors.Add($"{prefix}:TokenReplacedGrace: must not be negative");
        }

        if (options.IdleTimeout < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{prefix}:IdleTimeout: must be at least 00:01:00");
        }

        var inventory = options.Inventory;
        if (inventory.Resolution < TimeSpan.FromSeconds(1) || inventory.Resolution > TimeSpan.FromHours(1))
        {
            errors.Add($"{prefix}:Inventory:Resolution: must be between 00:00:01 and 01:00:00");
        }

        if (inventory.Resolution >= options.IdleTimeout)
        {
            errors.Add($"{prefix}:Inventory:Resolution: must be shorter than {prefix}:IdleTimeout (the FirstLogin lease is renewed at this resolution)");
        }

        if (inventory.MaxSessionsPerUser is < 1 or > 1000)
        {
            errors.Add($"{prefix}:Inventory:MaxSessionsPerUser: must be between 1 and 1000");
        }

        if (inventory.MaxSessions < 1)
        {
            errors.Add($"{prefix}:Inventory:MaxSessions: must be at least 1");
        }

        if (inventory.MaxTracked < 16)
        {
            errors.Add($"{prefix}:Inventory:MaxTracked: must be at least 16");
        }

        if (inventory.QueueSize < 16)
        {
            errors.Add($"{prefix}:Inventory:QueueSize: must be at least 16");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
