using Gateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Telemetry;

public sealed class GatewayLoggingTests
{
    [Fact]
    public void Configure_HostingDiagnosticsCategory_OffByDefault_SoAspNetCoreStartsNoActivityPerRequest()
    {
        using var provider = Build([]);
        var factory = provider.GetRequiredService<ILoggerFactory>();

        Assert.False(factory.CreateLogger(GatewayLogging.HostingDiagnosticsCategory).IsEnabled(LogLevel.Critical));
        Assert.True(factory.CreateLogger("Gateway.Anything").IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void Configure_HostingDiagnosticsLevelConfigured_ConfigurationWins()
    {
        using var provider = Build(new() { ["Logging:LogLevel:" + GatewayLogging.HostingDiagnosticsCategory] = "Information" });
        var factory = provider.GetRequiredService<ILoggerFactory>();

        Assert.True(factory.CreateLogger(GatewayLogging.HostingDiagnosticsCategory).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configure_ScopesAreNotCaptured_SoAConnectionsScopeSetsNoAsyncLocal()
    {
        // Kestrel begins a log scope per connection; captured, it is an AsyncLocal every await of every request on that
        // connection carries (a non-default execution context). No formatter prints scopes, so none is captured.
        using var provider = Build([]);
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel");
        Assert.True(logger.IsEnabled(LogLevel.Critical));

        var before = ExecutionContext.Capture();
        using (logger.BeginScope("connection 0HN"))
        {
            Assert.Same(before, ExecutionContext.Capture());
        }
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.AddConsole();
        });
        GatewayLogging.Configure(services, new LoggingOptions());
        return services.BuildServiceProvider();
    }
}
