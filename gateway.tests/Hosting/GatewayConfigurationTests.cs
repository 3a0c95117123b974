using Gateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Hosting;

/// <summary>The one configuration loader of the gateway and its tools: file, environment overlay, variables, command line.</summary>
public sealed class GatewayConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-config-" + Guid.NewGuid().ToString("N"));

    public GatewayConfigurationTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "appsettings.json"), """{"Gateway":{"A":"file","B":"file","C":"file"}}""");
        File.WriteAllText(Path.Combine(_directory, "appsettings.Staging.json"), """{"Gateway":{"B":"staging","C":"staging"}}""");
    }

    [Fact]
    public void Sources_EnvironmentOverlayBesideTheFile_ThenCommandLine_EachOverride()
    {
        var configuration = new ConfigurationBuilder()
            .AddGatewaySources(Path.Combine(_directory, "appsettings.json"), "Staging", ["--Gateway:C=command-line"], reloadOnChange: false)
            .Build();

        Assert.Equal("file", configuration["Gateway:A"]);
        Assert.Equal("staging", configuration["Gateway:B"]);
        Assert.Equal("command-line", configuration["Gateway:C"]);
    }

    [Fact]
    public void ForTool_ReadsTheSameOverlay_AsTheGateway()
    {
        // mint-token and healthcheck once read the file alone: a Staging-only key was invisible to them.
        var previous = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT");
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Staging");
        try
        {
            var configuration = GatewayConfiguration.ForTool(["--config", Path.Combine(_directory, "appsettings.json")]);
            Assert.Equal("staging", configuration["Gateway:B"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", previous);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
