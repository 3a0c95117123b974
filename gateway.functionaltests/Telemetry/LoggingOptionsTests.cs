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

    [Theory]
    [InlineData("Gateway:Telemetry:Tracing")]
    [InlineData("Gateway:Telemetry:HttpMetrics")]
    public async Task TelemetrySwitch_NotTrueOrFalse_StartupFailsNamingTheKey(string key)
    {
        using var signing = TestKey.Es256();
        var config = GatewayConfig.StandardInline(JwksDocument.Of(signing), "http://127.0.0.1:9/").Set(key, JsonValue.Create("maybe"));

        var error = await GatewayHost.StartExpectingFailureAsync(config);

        Assert.Contains(StartupErrors.Describe(error), l => l.StartsWith(key + ": 'maybe'", StringComparison.Ordinal));
    }
}
