using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Telemetry;

public sealed class LoggingOptionsTests
{
    [Fact]
    public async Task Format_Unknown_StartupFailsNamingTheKey()
    {
        using var key = TestKey.Es256();
        var config = GatewayConfig.StandardInline(JwksDocument.Of(key), "http://127.0.0.1:9/")
            .Set("Gateway:Logging:Format", JsonValue.Create("xml"))
            .Set("Gateway:Logging:RefusalSummaryInterval", JsonValue.Create("00:00:00"));

        var error = await GatewayHost.StartExpectingFailureAsync(config);

        var lines = StartupErrors.Describe(error).ToList();
        Assert.Contains(lines, l => l.StartsWith("Gateway:Logging:Format:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Gateway:Logging:RefusalSummaryInterval:", StringComparison.Ordinal));
    }
}
