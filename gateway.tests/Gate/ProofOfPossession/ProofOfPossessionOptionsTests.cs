using Gateway.Testing.Attacks;
using Gateway.Gate.ProofOfPossession;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Gate.ProofOfPossession;

public sealed class ProofOfPossessionOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddGatewayProofOfPossession(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Bind_NoSettings_DefaultsValidAndNoncesOff()
    {
        using var services = Services([]);

        var dpop = services.GetRequiredService<IOptions<DpopOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(60), dpop.IatWindow);
        Assert.Equal(TimeSpan.FromSeconds(30), dpop.NonceStep);
        Assert.Equal(DpopOptions.DefaultAlgorithms, dpop.EffectiveAlgorithms);
        Assert.Null(services.GetRequiredService<ProofOfPossessionNonces>().Service);
        Assert.True(services.GetRequiredService<TrustedProxies>().IsEmpty);
        Assert.NotNull(services.GetRequiredService<DpopReplayGuard>());
        Assert.NotNull(services.GetRequiredService<ClientCertificateSource>());
        Assert.NotNull(services.GetRequiredService<ForwardedRequestUri>());
        Assert.NotNull(services.GetRequiredService<DpopProofValidator>());
    }

    [Fact]
    public void Bind_AllSettings_Applied()
    {
        using var services = Services(new()
        {
            ["Gateway:Dpop:IatWindow"] = "00:00:30",
            ["Gateway:Dpop:NonceSecret"] = Convert.ToBase64String(new byte[32]),
            ["Gateway:Dpop:Algorithms:0"] = "ES256",
            ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.0/8",
            ["Gateway:ClientCertificates:ForwardedHeader"] = "X-SSL-Client-Cert",
        });

        Assert.Equal(["ES256"], services.GetRequiredService<IOptions<DpopOptions>>().Value.EffectiveAlgorithms);
        Assert.NotNull(services.GetRequiredService<ProofOfPossessionNonces>().Service);
        Assert.False(services.GetRequiredService<TrustedProxies>().IsEmpty);
        Assert.Equal("X-SSL-Client-Cert", services.GetRequiredService<IOptions<ClientCertificateOptions>>().Value.ForwardedHeader);
    }

    [Fact]
    public void Validate_EveryDpopError_ReportedWithItsKey()
    {
        using var services = Services(new()
        {
            ["Gateway:Dpop:IatWindow"] = "00:00:00",
            ["Gateway:Dpop:IatFutureSkew"] = "-00:00:01",
            ["Gateway:Dpop:NonceSecret"] = Convert.ToBase64String(new byte[16]),
            ["Gateway:Dpop:NonceStep"] = "00:00:00.500",
            ["Gateway:Dpop:ReplayCacheSize"] = "0",
            ["Gateway:Dpop:MaxProofSize"] = "100",
            ["Gateway:Dpop:Algorithms:0"] = "ES256",
            ["Gateway:Dpop:Algorithms:1"] = "none",
            ["Gateway:Dpop:Algorithms:2"] = "HS256",
            ["Gateway:Dpop:Algorithms:3"] = "EdDSA",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DpopOptions>>().Value);

        var failures = failure.Failures.ToList();
        foreach (var key in new[] { "IatWindow", "IatFutureSkew", "NonceSecret", "NonceStep", "ReplayCacheSize", "MaxProofSize", "Algorithms:1", "Algorithms:2", "Algorithms:3" })
        {
            Assert.Contains(failures, f => f.StartsWith($"Gateway:Dpop:{key}:", StringComparison.Ordinal));
        }

        Assert.Equal(9, failures.Count);
        Assert.DoesNotContain(failures, f => f.Contains("AAAAAAAA", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadTrustedProxies_EachNamedByIndex()
    {
        using var services = Services(new()
        {
            ["Gateway:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.1",
            ["Gateway:ForwardedHeaders:TrustedProxies:1"] = "10.0.0.1/8",
            ["Gateway:ForwardedHeaders:TrustedProxies:2"] = "proxy.example.com",
            ["Gateway:ForwardedHeaders:TrustedProxies:3"] = "fd00::/8",
            ["Gateway:ForwardedHeaders:TrustedProxies:4"] = "10.0.0.0/33",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ForwardedHeadersTrustOptions>>().Value);

        Assert.Equal(3, failure.Failures.Count());
        Assert.Contains(failure.Failures, f => f.StartsWith("Gateway:ForwardedHeaders:TrustedProxies:1:", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Gateway:ForwardedHeaders:TrustedProxies:2:", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Gateway:ForwardedHeaders:TrustedProxies:4:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("X-SSL-Client-Cert", false, "needs Gateway:ForwardedHeaders:TrustedProxies")]
    [InlineData("Bad Header", true, "is not a header name")]
    [InlineData("Authorization", true, "carries something else")]
    public void Validate_ForwardedCertificateHeader_ErrorNamesTheKey(string header, bool withProxies, string message)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:ClientCertificates:ForwardedHeader"] = header };
        if (withProxies)
        {
            settings["Gateway:ForwardedHeaders:TrustedProxies:0"] = "10.0.0.0/8";
        }

        using var services = Services(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ClientCertificateOptions>>().Value);
        var only = Assert.Single(failure.Failures);
        Assert.StartsWith("Gateway:ClientCertificates:ForwardedHeader:", only, StringComparison.Ordinal);
        Assert.Contains(message, only, StringComparison.Ordinal);
    }
}
