using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Embedded;

internal sealed class EmbeddedOptionsValidator : IValidateOptions<EmbeddedOptions>
{
    public const long MinCompactionThreshold = 64 * 1024;

    public ValidateOptionsResult Validate(string? name, EmbeddedOptions options)
    {
        var errors = new List<string>();
        const string prefix = EmbeddedOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add($"{prefix}:Path: must name the journal file (default data/gateway-state.journal)");
        }
        else if (options.Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || options.Path.EndsWith('/') || options.Path.EndsWith('\\'))
        {
            errors.Add($"{prefix}:Path: must be a file path");
        }

        if (!Enum.IsDefined(options.Durability))
        {
            errors.Add($"{prefix}:Durability: must be Flush or None");
        }

        if (options.CompactionThreshold < MinCompactionThreshold)
        {
            errors.Add($"{prefix}:CompactionThreshold: must be at least {MinCompactionThreshold} (bytes)");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
