using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>Turns a start-up failure into one line per configuration error, without a stack trace.</summary>
internal static partial class StartupErrors
{
    public static IEnumerable<string> Describe(Exception exception)
    {
        switch (exception)
        {
            case GatewayConfigurationException config:
                return config.Errors;
            case OptionsValidationException validation:
                return validation.Failures;
            case AggregateException aggregate:
                return aggregate.InnerExceptions.SelectMany(Describe);
            case InvalidOperationException { InnerException: { } cause } binding when BinderFailure().Match(binding.Message) is { Success: true } match:
                // The configuration binder names the key in its own message, and what was wrong in the inner one.
                return [$"{match.Groups["key"].Value}: not a valid {match.Groups["type"].Value}: {cause.Message}"];
        }

        // YARP wraps config filter and validation errors ("Unable to load or apply the proxy configuration.").
        if (exception.InnerException is { } inner)
        {
            return Describe(inner);
        }

        return exception.Message.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }

    [GeneratedRegex(@"^Failed to convert configuration value (?:'.*' )?at '(?<key>[^']+)' to type '(?:[^']*\.)?(?<type>[^'.]+)'")]
    private static partial Regex BinderFailure();
}
