using System.Net;
using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Telemetry;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Telemetry;

[Collection(ObservedGateway.CollectionName)]
public sealed class LoggingTests(ObservedGateway fixture)
{
    private const int RefusalSummaryEventId = 6001;

    [Fact]
    public async Task Logs_AllowedAndRefusedTokens_NoLineContainsAToken()
    {
        var gateway = fixture.Gateway;
        string[] tokens =
        [
            fixture.Token(sub: "log-ok"),
            TokenFactory.Mint(fixture.Es256, sub: "log-expired", iat: TimeSpan.FromHours(-2), nbf: TimeSpan.FromHours(-2), exp: TimeSpan.FromHours(-1)),
            TokenFactory.Mint(fixture.Es256, sub: "log-aud", audience: "someone-else"),
            TokenFactory.Mint(fixture.Es256, sub: "log-kid", kid: "no-such-kid"),
            fixture.Token(sub: "log-tampered")[..^4] + "AAAA",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        ];

        foreach (var token in tokens)
        {
            using var response = await gateway.GetAsync($"{fixture.RoutePrefix}/logs", token);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized, $"{response.StatusCode}");
        }

        // Refusals are logged per request at Debug (captured here) and summarised at Warning.
        Assert.Contains(gateway.Logs.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("Refused", StringComparison.Ordinal));
        Assert.DoesNotContain("eyJ", gateway.Logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalSummary_ManyRefusals_AtMostOneWarningPerIntervalWithReasons()
    {
        var gateway = fixture.Gateway;
        var before = Summaries().Count;
        var window = System.Diagnostics.Stopwatch.StartNew();
        var refused = 0;
        while (window.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            using var response = await gateway.GetAsync($"{fixture.RoutePrefix}/summary{refused++}");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var written = Summaries().Count - before;
        // One-second interval: at most three lines in 2.5 s however many refusals, not one per refusal.
        Assert.True(written <= 3, $"{written} summaries for {refused} refusals");
        Assert.True(refused > 10, $"only {refused} requests in 2.5 s");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!Summaries().Skip(before).Any(e => e.Message.Contains("token_missing=", StringComparison.Ordinal)))
        {
            await Task.Delay(100, timeout.Token);
        }

        var summary = Summaries().Skip(before).First(e => e.Message.Contains("token_missing=", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Equal("Gateway.Telemetry.RefusalSummaryService", summary.Category);

        List<LogEntry> Summaries() => [.. gateway.Logs.Entries.Where(e => e.EventId.Id == RefusalSummaryEventId)];
    }

    [Fact]
    public void RefusalTally_Drain_CountsByReasonMostFirstAndResets()
    {
        var tally = new RefusalTally();
        tally.Add("token_expired");
        tally.Add("token_revoked");
        tally.Add("token_revoked");

        var first = tally.Drain();

        Assert.Equal([new("token_revoked", 2), new("token_expired", 1)], first);
        Assert.Empty(tally.Drain());
    }

    [Theory]
    [InlineData("json", ConsoleFormatterNames.Json)]
    [InlineData("simple", ConsoleFormatterNames.Simple)]
    public void Format_Configured_SelectsConsoleFormatter(string format, string formatter)
    {
        var services = new ServiceCollection();
        services.AddOptions();

        GatewayLogging.Configure(services, new LoggingOptions { Format = format });

        using var provider = services.BuildServiceProvider();
        Assert.Equal(formatter, provider.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
        Assert.False(provider.GetRequiredService<IOptions<JsonConsoleFormatterOptions>>().Value.IncludeScopes);
    }
}
