using Gateway.Testing.Attacks;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Gateway.Testing.Attacks;

/// <summary>The gateway's own <see cref="TokenVerifier"/>, configured with the attack suite's issuer, outside any host.</summary>
public sealed class VerifierFixture : IDisposable
{
    private readonly ServiceProvider _services;

    public VerifierFixture()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(AttackKeys.TokenSettings()).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new ProductionEnvironment());
        services.AddGatewayTelemetry();
        services.AddGatewayTokens(configuration);
        _services = services.BuildServiceProvider();
        Verifier = _services.GetRequiredService<TokenVerifier>();
    }

    internal TokenVerifier Verifier { get; }

    public void Dispose() => _services.Dispose();

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "Gateway.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
