using static Gateway.Testing.TestUsers;
using Gateway.Hosting;
using Gateway.Sessions.Embedded;
using Gateway.Testing;

namespace Gateway.Tests.Sessions.Embedded;

/// <summary>A journal the gateway cannot use, or bad Gateway:Embedded settings, fail start-up naming the key.</summary>
public sealed class EmbeddedStoreStartupTests : IDisposable
{
    private static readonly TestKey Key = TestKey.Es256("embedded-startup");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "embedded-startup-" + Guid.NewGuid().ToString("N"));

    private string JournalPath => Path.Combine(_directory, "state.journal");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private GatewayConfig Config() =>
        GatewayConfig.StandardInline(JwksDocument.Of(Key), "http://127.0.0.1:9/").Set("Gateway:Embedded:Path", JournalPath);

    private static async Task<List<string>> StartupErrorsOfAsync(GatewayConfig config) =>
        StartupErrors.Describe(await GatewayHost.StartExpectingFailureAsync(config)).ToList();

    [Fact]
    public async Task AJournalDamagedInTheMiddle_FailsStartUp_NamingTheKeyAndTheFile()
    {
        Directory.CreateDirectory(_directory);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var first = JournalFormat.Encode(new JournalRecord("token", "a", string.Empty, exp));
        first[^1] ^= 0x01;
        await File.WriteAllBytesAsync(JournalPath, [.. JournalFormat.FileHeader, .. first, .. JournalFormat.Encode(new JournalRecord("token", "b", string.Empty, exp))]);

        var lines = await StartupErrorsOfAsync(Config());

        Assert.Contains(lines, l => l.StartsWith("Gateway:Embedded:Path:", StringComparison.Ordinal) && l.Contains(JournalPath, StringComparison.Ordinal) && l.Contains("damaged", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJournalPathThatIsAFolder_FailsStartUp_NamingTheKey()
    {
        Directory.CreateDirectory(JournalPath);
        var lines = await StartupErrorsOfAsync(Config());
        Assert.Contains(lines, l => l.StartsWith("Gateway:Embedded:Path:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Gateway:Embedded:Path", "")]
    [InlineData("Gateway:Embedded:Durability", "Sometimes")]
    [InlineData("Gateway:Embedded:CompactionThreshold", "1000")]
    public async Task BadSettings_FailStartUp_NamingTheKey(string key, string value)
    {
        var lines = await StartupErrorsOfAsync(Config().Set(key, value));
        Assert.Contains(lines, l => l.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARelativePath_IsUnderTheContentRoot_AndTheStartupLineSaysWhere()
    {
        var relative = Path.Combine("data-" + Guid.NewGuid().ToString("N"), "state.journal");
        Directory.CreateDirectory(_directory);
        await using (var gateway = await GatewayHost.StartAsync(Config().Set("Gateway:Embedded:Path", relative), new GatewayHostOptions { Arguments = ["--contentRoot", _directory] }))
        {
            var expected = Path.Combine(_directory, relative);
            Assert.True(File.Exists(expected));
            var line = Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == 3101);
            Assert.Contains(expected, line.Message, StringComparison.Ordinal);
            Assert.Contains("embedded session store", line.Message, StringComparison.Ordinal);
        }
    }
}
