using Microsoft.Extensions.Options;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>Checks <c>Gateway:Dpop</c> up front and reports every error with the key at fault.</summary>
internal sealed class DpopOptionsValidator : IValidateOptions<DpopOptions>
{
    public ValidateOptionsResult Validate(string? name, DpopOptions options)
    {
        var errors = new List<string>();
        const string prefix = DpopOptions.SectionName;
        if (options.IatWindow <= TimeSpan.Zero || options.IatWindow > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{prefix}:IatWindow: must be more than 00:00:00 and at most 00:10:00");
        }

        if (options.IatFutureSkew < TimeSpan.Zero || options.IatFutureSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{prefix}:IatFutureSkew: must be between 00:00:00 and 00:05:00");
        }

        if (!string.IsNullOrWhiteSpace(options.NonceSecret) && !DpopNonceService.TryDecodeSecret(options.NonceSecret, out _))
        {
            errors.Add($"{prefix}:NonceSecret: must be base64 of at least {DpopNonceService.MinSecretBytes} bytes (absent: nonces are off)");
        }

        if (options.NonceStep < TimeSpan.FromSeconds(1) || options.NonceStep > TimeSpan.FromHours(1) || options.NonceStep.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{prefix}:NonceStep: must be whole seconds between 00:00:01 and 01:00:00");
        }

        if (options.ReplayCacheSize is < 1 or > 10_000_000)
        {
            errors.Add($"{prefix}:ReplayCacheSize: must be between 1 and 10000000");
        }

        if (options.KeyCacheSize is < 0 or > 1_000_000)
        {
            errors.Add($"{prefix}:KeyCacheSize: must be between 0 and 1000000");
        }

        if (!Enum.IsDefined(options.ReplayScope))
        {
            errors.Add($"{prefix}:ReplayScope: must be Shared or Instance");
        }

        if (options.MaxProofSize is < 1024 or > 65_536)
        {
            errors.Add($"{prefix}:MaxProofSize: must be between 1024 and 65536 characters");
        }

        for (var i = 0; i < options.Algorithms.Count; i++)
        {
            var alg = options.Algorithms[i];
            if (string.Equals(alg, "none", StringComparison.OrdinalIgnoreCase) || (alg ?? string.Empty).StartsWith("HS", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}:Algorithms:{i}: '{alg}' is never accepted for a proof of possession (asymmetric algorithms only)");
            }
            else if (alg is null || !DpopProofValidator.SupportedAlgorithms.Contains(alg))
            {
                errors.Add($"{prefix}:Algorithms:{i}: unknown algorithm '{alg}' (known: {string.Join(", ", DpopOptions.DefaultAlgorithms)})");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
