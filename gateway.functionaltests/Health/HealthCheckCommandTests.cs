using Gateway.Health;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Health;

public sealed class HealthCheckCommandTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8081", "http://127.0.0.1:8081/healthz")]
    [InlineData("http://0.0.0.0:8081", "http://127.0.0.1:8081/healthz")]
    [InlineData("http://*:9000;http://127.0.0.1:9001", "http://127.0.0.1:9000/healthz")]
    [InlineData("http://[::]:8081", "http://[::1]:8081/healthz")]
    [InlineData("https://localhost:8443", "https://localhost:8443/healthz")]
    public void DefaultUrl_AdminUrls_FirstAddressOnLoopback(string adminUrls, string expected)
    {
        Assert.Equal(expected, HealthCheckCommand.DefaultUrl(adminUrls, HealthServiceCollectionExtensions.LivePath));
    }

    [Fact]
    public async Task Run_GatewayUp_ExitsZero()
    {
        using var key = TestKey.Es256();
        await using var gateway = await GatewayHost.StartAsync(GatewayConfig.StandardInline(JwksDocument.Of(key), "http://127.0.0.1:9/"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var ready = await HealthCheckCommand.RunAsync(["healthcheck", "--ready", "--url", new Uri(gateway.AdminUrl, "readyz").ToString()], output, error);
        var live = await HealthCheckCommand.RunAsync(["healthcheck", "--url", new Uri(gateway.AdminUrl, "healthz").ToString()], output, error);

        Assert.Equal(0, ready);
        Assert.Equal(0, live);
        Assert.Contains("answered 200", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NothingListening_ExitsOne()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await HealthCheckCommand.RunAsync(["healthcheck", "--url", $"http://127.0.0.1:{FreePort.Next()}/healthz"], output, error);

        Assert.Equal(1, code);
        Assert.Contains("failed", error.ToString(), StringComparison.Ordinal);
    }
}
