using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Development;

/// <summary>Decides whether the development issuer is trusted: only when enabled and the environment is Development.</summary>
internal sealed partial class DevelopmentIssuer
{
    private readonly DevelopmentOptions _options;

    public DevelopmentIssuer(IOptions<DevelopmentOptions> options, IHostEnvironment environment, ILogger<DevelopmentIssuer> logger)
    {
        _options = options.Value;
        IsActive = _options.Enabled && environment.IsDevelopment();
        if (_options.Enabled && !IsActive)
        {
            Log.IgnoredOutsideDevelopment(logger, environment.EnvironmentName);
        }
        else if (IsActive)
        {
            Log.Trusted(logger, _options.Issuer);
        }
    }

    public bool IsActive { get; }

    public IssuerOptions CreateIssuerOptions()
    {
        var key = DevelopmentKey.LoadOrCreate(_options.KeyFile);
        return new IssuerOptions
        {
            Issuer = _options.Issuer,
            Audiences = [_options.Audience],
            Algorithms = ["ES256"],
            Jwks = DevelopmentKey.PublicJwks(key),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.DevelopmentIgnored, Level = LogLevel.Warning, Message = "Gateway:Development:Enabled is ignored in the {Environment} environment: the development issuer is trusted only in Development")]
        public static partial void IgnoredOutsideDevelopment(ILogger logger, string environment);

        [LoggerMessage(EventId = LogEvents.DevelopmentIssuerTrusted, Level = LogLevel.Warning, Message = "Development issuer {Issuer} is trusted (Development environment); never enable it in production")]
        public static partial void Trusted(ILogger logger, string issuer);
    }
}
