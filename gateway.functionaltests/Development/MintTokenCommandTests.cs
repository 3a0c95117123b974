using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Development;
using Gateway.Gate.ProofOfPossession;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.Configuration;

namespace Gateway.FunctionalTests.Development;

/// <summary>Two gateways sharing one development key file: one in Development, one in Production.</summary>
public sealed class DevelopmentGateways : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "dev-" + Guid.NewGuid().ToString("N"));

    public string KeyFile => Path.Combine(_directory, "signing-key.json");

    /// <summary>A path in the fixture's folder for a test's own DPoP key file (not created).</summary>
    public string NewFile(string extension) => Path.Combine(_directory, "dpop-" + Guid.NewGuid().ToString("N") + extension);

    public RecordingBackend Backend { get; } = new();

    public GatewayHost Development { get; private set; } = null!;

    public GatewayHost Production { get; private set; } = null!;

    public IConfiguration CommandConfiguration => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Development:KeyFile"] = KeyFile })
        .Build();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await Backend.InitializeAsync();
        Development = await GatewayHost.StartAsync(Config(withIssuer: false), new GatewayHostOptions { Environment = "Development" });
        // Production needs an issuer of its own: the development one does not count there.
        Production = await GatewayHost.StartAsync(Config(withIssuer: true), new GatewayHostOptions { Environment = "Production" });
    }

    public async Task DisposeAsync()
    {
        await Development.DisposeAsync();
        await Production.DisposeAsync();
        await Backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private GatewayConfig Config(bool withIssuer)
    {
        var config = new GatewayConfig()
            .AddRoute("api", "/api/{**rest}")
            .AddCluster(GatewayConfig.ClusterId, Backend.Url)
            .Set("Gateway:Development:Enabled", true)
            .Set("Gateway:Development:KeyFile", KeyFile);
        if (withIssuer)
        {
            using var key = TestKey.Es256();
            config.AddIssuer(TokenFactory.Issuer, [TokenFactory.Audience], ["ES256"], jwks: JwksDocument.Of(key));
        }

        return config;
    }
}

public sealed class MintTokenCommandTests(DevelopmentGateways fixture) : IClassFixture<DevelopmentGateways>
{
    [Fact]
    public async Task Run_WithSubAndSid_PrintsTokenTheDevelopmentGatewayAccepts()
    {
        var token = Mint("mint-token", "--sub", "alice", "--sid", "laptop", "--ver", "3", "--ttl", "00:02:00");

        using var response = await fixture.Development.GetAsync("/api/dev/accepted", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Backend.RequestsTo("/api/dev/accepted"));
        Assert.Equal("alice", seen.Header("X-Auth-Subject"));
        Assert.Equal("laptop", seen.Header("X-Auth-Session"));
        var payload = TokenFactory.Part(token, 1);
        Assert.Equal("https://dev.gateway.local", payload["iss"]!.GetValue<string>());
        Assert.Equal(3, payload["ver"]!.GetValue<long>());
        Assert.Equal(120, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
        Assert.Equal("ES256", TokenFactory.Part(token, 0)["alg"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_TokenSentOutsideDevelopment_RefusedAsUnknownIssuer()
    {
        var token = Mint("mint-token", "--sub", "alice");

        using var response = await fixture.Production.GetAsync("/api/dev/production", token);

        await Refusals.AssertInvalidTokenAsync(response, Reasons.UnknownIssuer.Code);
        Assert.Empty(fixture.Backend.RequestsTo("/api/dev/production"));
        Assert.Contains(fixture.Production.Logs.Entries, e => e.EventId.Id == 1001);
    }

    [Fact]
    public async Task Run_OtherAudience_RefusedByTheDevelopmentGateway()
    {
        var token = Mint("mint-token", "--sub", "alice", "--aud", "other");

        using var response = await fixture.Development.GetAsync("/api/dev/audience", token);

        await Refusals.AssertInvalidTokenAsync(response, Reasons.InvalidAudience.Code);
        Assert.Empty(fixture.Backend.RequestsTo("/api/dev/audience"));
    }

    [Theory]
    [InlineData("--sid", "s1")]
    [InlineData("--sub", "alice", "--ttl", "soon")]
    [InlineData("--sub", "alice", "--ver", "-1")]
    [InlineData("--sub", "alice", "--ver", "one")]
    [InlineData("--sub", "alice", "stray")]
    [InlineData("--sub")]
    public void Run_BadArguments_Returns2WithUsageAndNoToken(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = MintTokenCommand.Run(["mint-token", .. arguments], fixture.CommandConfiguration, output, error);

        Assert.Equal(2, code);
        Assert.Empty(output.ToString());
        Assert.StartsWith("mint-token:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Twice_ReusesTheKeyFile()
    {
        var first = TokenFactory.Part(Mint("mint-token", "--sub", "a"), 0)["kid"]!.GetValue<string>();
        var second = TokenFactory.Part(Mint("mint-token", "--sub", "b"), 0)["kid"]!.GetValue<string>();

        Assert.Equal(first, second);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fixture.KeyFile));
        }
    }

    [Theory]
    [InlineData(".json")]
    [InlineData(".pem")]
    public void Run_WithDpopKey_CreatesThePrivateKeyFileAndBindsTheTokenToIt(string extension)
    {
        var keyFile = fixture.NewFile(extension);

        var token = Mint("mint-token", "--sub", "alice", "--dpop-key", keyFile);

        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        using var key = DpopKeyFile.Load(keyFile, create: false);
        var jkt = TokenFactory.Part(token, 1)["cnf"]!["jkt"]!.GetValue<string>();
        Assert.Equal(DpopKeyFile.Thumbprint(key), jkt);
        Assert.Equal(43, jkt.Length);
    }

    [Fact]
    public void Run_WithAnExistingDpopKey_ReusesIt()
    {
        var keyFile = fixture.NewFile(".json");

        var first = TokenFactory.Part(Mint("mint-token", "--sub", "a", "--dpop-key", keyFile), 1)["cnf"]!["jkt"]!.GetValue<string>();
        var second = TokenFactory.Part(Mint("mint-token", "--sub", "b", "--dpop-key", keyFile), 1)["cnf"]!["jkt"]!.GetValue<string>();

        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(".json")]
    [InlineData(".pem")]
    public void Run_DpopProof_ValidForTheBoundTokenOnThatRequest(string extension)
    {
        var keyFile = fixture.NewFile(extension);
        var token = Mint("mint-token", "--sub", "alice", "--dpop-key", keyFile);
        var jkt = TokenFactory.Part(token, 1)["cnf"]!["jkt"]!.GetValue<string>();

        var proof = Mint("mint-token", "dpop-proof", "--key", keyFile, "--method", "POST", "--url", "http://127.0.0.1:8080/api/orders?page=2", "--token", token);

        var validator = new DpopProofValidator(new DpopOptions());
        var result = validator.Validate(proof, "POST", "http://127.0.0.1:8080/api/orders", token, jkt, DateTimeOffset.UtcNow);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal("dpop+jwt", TokenFactory.Part(proof, 0)["typ"]!.GetValue<string>());
        Assert.Equal(DpopReasons.HtmMismatch, validator.Validate(proof, "GET", "http://127.0.0.1:8080/api/orders", token, jkt, DateTimeOffset.UtcNow).Reason);
        Assert.Equal(DpopReasons.AthMismatch, validator.Validate(proof, "POST", "http://127.0.0.1:8080/api/orders", "other-token", jkt, DateTimeOffset.UtcNow).Reason);
    }

    [Fact]
    public void Run_DpopProofWithANonce_CarriesIt()
    {
        var keyFile = fixture.NewFile(".json");
        Mint("mint-token", "--sub", "alice", "--dpop-key", keyFile);

        var proof = Mint("mint-token", "dpop-proof", "--key", keyFile, "--method", "GET", "--url", "https://api.example.com/x", "--nonce", "n-1");

        Assert.Equal("n-1", TokenFactory.Part(proof, 1)["nonce"]!.GetValue<string>());
        Assert.Null(TokenFactory.Part(proof, 1)["ath"]);
    }

    [Theory]
    [InlineData("--method", "GET", "--url", "http://localhost/x")]
    [InlineData("--key", "KEY", "--url", "http://localhost/x")]
    [InlineData("--key", "KEY", "--method", "GET")]
    [InlineData("--key", "KEY", "--method", "GET", "--url", "/relative")]
    [InlineData("--key", "KEY", "--method", "GET", "--url", "ftp://localhost/x")]
    [InlineData("--key", "MISSING", "--method", "GET", "--url", "http://localhost/x")]
    [InlineData("--key", "KEY", "--method", "GET", "--url")]
    public void Run_DpopProofBadArguments_Returns2WithNoProof(params string[] arguments)
    {
        var keyFile = fixture.NewFile(".json");
        Mint("mint-token", "--sub", "alice", "--dpop-key", keyFile);
        var missing = fixture.NewFile(".json");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = MintTokenCommand.Run(["mint-token", "dpop-proof", .. arguments.Select(a => a == "KEY" ? keyFile : a == "MISSING" ? missing : a)], fixture.CommandConfiguration, output, error);

        Assert.Equal(2, code);
        Assert.Empty(output.ToString());
        Assert.StartsWith("mint-token:", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void Run_DpopKeyFileThatIsNoKey_Returns2()
    {
        var keyFile = fixture.NewFile(".json");
        File.WriteAllText(keyFile, "{\"kty\":\"RSA\"}");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = MintTokenCommand.Run(["mint-token", "--sub", "alice", "--dpop-key", keyFile], fixture.CommandConfiguration, output, error);

        Assert.Equal(2, code);
        Assert.Empty(output.ToString());
        Assert.StartsWith("mint-token: --dpop-key:", error.ToString(), StringComparison.Ordinal);
    }

    private string Mint(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = MintTokenCommand.Run(args, fixture.CommandConfiguration, output, error);
        Assert.True(code == 0, error.ToString());
        return output.ToString().Trim();
    }
}
