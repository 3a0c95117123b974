using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>Turns a start-up failure into one line per configuration error, without a stack trace.</summary>
internal static class StartupErrors
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
        }

        // YARP wraps config filter and validation errors ("Unable to load or apply the proxy configuration.").
        if (exception.InnerException is { } inner)
        {
            return Describe(inner);
        }

        return exception.Message.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
    }
}
