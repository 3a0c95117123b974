using Microsoft.Extensions.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// The one way the gateway, <c>mint-token</c> and <c>healthcheck</c> read their configuration: the config file
/// (<see cref="ConfigFileLocator"/>), then <c>appsettings.{Environment}.json</c> beside it, then environment variables,
/// then the command line, each overriding the one before.
/// </summary>
internal static class GatewayConfiguration
{
    /// <summary>The environment as ASP.NET names it: <c>ASPNETCORE_ENVIRONMENT</c>, else <c>DOTNET_ENVIRONMENT</c>, else Production.</summary>
    public static string EnvironmentName =>
        Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspnet ? aspnet
        : Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } dotnet ? dotnet
        : "Production";

    /// <summary>Adds the gateway's sources for <paramref name="configFile"/> (none when null) in override order.</summary>
    public static IConfigurationBuilder AddGatewaySources(this IConfigurationBuilder builder, string? configFile, string environment, string[] commandLine, bool reloadOnChange)
    {
        if (configFile is not null)
        {
            builder.AddJsonFile(configFile, optional: false, reloadOnChange: reloadOnChange);
            builder.AddJsonFile(Path.Combine(Path.GetDirectoryName(configFile)!, $"appsettings.{environment}.json"), optional: true, reloadOnChange: reloadOnChange);
        }

        // Environment variables and the command line still win over the files.
        return builder.AddEnvironmentVariables().AddCommandLine(commandLine);
    }

    /// <summary>
    /// The configuration a command-line tool of the gateway (<c>mint-token</c>, <c>healthcheck</c>) sees; a config
    /// file that does not exist is left out (a container's health probe must not fail on it).
    /// </summary>
    public static IConfigurationRoot ForTool(string[] args) =>
        new ConfigurationBuilder()
            .AddGatewaySources(ConfigFileLocator.Locate(args) is { } file && File.Exists(file) ? file : null, EnvironmentName, [], reloadOnChange: false)
            .Build();
}
