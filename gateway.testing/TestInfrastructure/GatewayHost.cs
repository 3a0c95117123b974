using System.Text.Json.Nodes;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Gateway.Testing;

/// <summary>How a <see cref="GatewayHost"/> is started.</summary>
public sealed class GatewayHostOptions
{
    /// <summary>The host environment. Default Production (the development issuer stays off).</summary>
    public string Environment { get; set; } = "Production";

    /// <summary>Minimum level captured for the gateway's own categories (<c>Gateway.*</c>). Default Debug.</summary>
    public LogLevel GatewayLogLevel { get; set; } = LogLevel.Debug;

    /// <summary>Minimum level captured for everything else (ASP.NET Core, YARP, ...). Default Warning.</summary>
    public LogLevel FrameworkLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Runs last on the builder: replace services (a FakeTimeProvider, say) before the app is built.</summary>
    public Action<WebApplicationBuilder>? Configure { get; set; }

    /// <summary>Extra command-line arguments.</summary>
    public IReadOnlyList<string> Arguments { get; set; } = [];
}

/// <summary>
/// A real gateway, built by <see cref="GatewayApp.Build"/> from a config file in a temp folder (hot-reloaded like in
/// production), listening on loopback ports the OS picks for <c>Urls</c> and <c>Gateway:Admin:Urls</c> unless the
/// config names them. Dispose to stop it.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private GatewayHost(WebApplication app, string directory, string configPath, GatewayConfig config, LogSink logs, Uri publicUrl, Uri adminUrl)
    {
        _app = app;
        _directory = directory;
        ConfigPath = configPath;
        Config = config;
        Logs = logs;
        PublicUrl = publicUrl;
        AdminUrl = adminUrl;
        PublicClient = CreateClient(publicUrl);
        AdminClient = CreateClient(adminUrl);
    }

    public Uri PublicUrl { get; }

    public Uri AdminUrl { get; }

    /// <summary>A client for the public listener (no cookies, no redirects).</summary>
    public HttpClient PublicClient { get; }

    /// <summary>A client for the admin listener; add <c>X-Api-Key</c> per request.</summary>
    public HttpClient AdminClient { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Everything the gateway logged.</summary>
    public LogSink Logs { get; }

    public string ConfigPath { get; }

    /// <summary>The configuration last written to <see cref="ConfigPath"/>.</summary>
    public GatewayConfig Config { get; private set; }

    public static async Task<GatewayHost> StartAsync(GatewayConfig config, GatewayHostOptions? options = null)
    {
        var (app, directory, path, written, logs) = Build(config, options ?? new GatewayHostOptions());
        try
        {
            await app.StartAsync();
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();
            // Listeners binds the public addresses first, then the admin ones, and Kestrel reports them in that order.
            var publicCount = written.Get("Urls")!.GetValue<string>().Split(';', StringSplitOptions.RemoveEmptyEntries).Length;
            return new GatewayHost(app, directory, path, written, logs, new Uri(addresses[0] + "/"), new Uri(addresses[publicCount] + "/"));
        }
        catch
        {
            await app.DisposeAsync();
            TryDelete(directory);
            throw;
        }
    }

    /// <summary>Builds and starts a gateway that must refuse to start; returns what it threw (see StartupErrors.Describe).</summary>
    public static async Task<Exception> StartExpectingFailureAsync(GatewayConfig config, GatewayHostOptions? options = null)
    {
        string? directory = null;
        try
        {
            var (app, dir, _, _, _) = Build(config, options ?? new GatewayHostOptions());
            directory = dir;
            try
            {
                await app.StartAsync();
            }
            finally
            {
                await app.DisposeAsync();
            }
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            if (directory is not null)
            {
                TryDelete(directory);
            }
        }

        throw new Xunit.Sdk.XunitException("The gateway started, but the configuration should have been refused:\n" + config.ToJson());
    }

    /// <summary>Writes a new configuration file (atomically) for hot reload. Listener URLs are kept as they are.</summary>
    public async Task RewriteConfigAsync(GatewayConfig config)
    {
        var written = config.Clone();
        written.Set("Urls", Config.Get("Urls")!.DeepClone());
        written.Set("Gateway:Admin:Urls", Config.Get("Gateway:Admin:Urls")!.DeepClone());
        var temp = ConfigPath + ".tmp";
        await File.WriteAllTextAsync(temp, written.ToJson());
        File.Move(temp, ConfigPath, overwrite: true);
        Config = written;
    }

    /// <summary>
    /// The routes YARP is serving right now (after the gateway's config filter): those with an endpoint in routing,
    /// which is what requests match, and which YARP updates a moment after its own route table.
    /// </summary>
    public IReadOnlyList<RouteConfig> CurrentRoutes()
    {
        var loaded = Services.GetRequiredService<IProxyStateLookup>().GetRoutes().Select(r => r.Config).ToHashSet();
        var routed = Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<RouteModel>()?.Config)
            .OfType<RouteConfig>()
            .ToHashSet();
        return [.. loaded.Where(routed.Contains)];
    }

    /// <summary>Waits until YARP serves routes that satisfy <paramref name="predicate"/> (after a reload, say).</summary>
    public async Task WaitForRoutesAsync(Func<IReadOnlyList<RouteConfig>, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!predicate(CurrentRoutes()))
        {
            try
            {
                await Task.Delay(25, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("The proxy configuration did not reach the expected state; routes: " +
                    string.Join(", ", CurrentRoutes().Select(r => r.RouteId)));
            }
        }
    }

    /// <summary>Rewrites the configuration and waits until YARP serves routes that satisfy <paramref name="loaded"/>.</summary>
    public async Task ReloadAsync(GatewayConfig config, Func<IReadOnlyList<RouteConfig>, bool> loaded, TimeSpan? timeout = null)
    {
        await RewriteConfigAsync(config);
        await WaitForRoutesAsync(loaded, timeout);
    }

    /// <summary>A GET on the public listener with an optional bearer token (sent as <c>Bearer &lt;token&gt;</c>).</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? token = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return SendAsync(request);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            return await PublicClient.SendAsync(request);
        }
    }

    public async ValueTask DisposeAsync()
    {
        PublicClient.Dispose();
        AdminClient.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        TryDelete(_directory);
    }

    private static (WebApplication App, string Directory, string Path, GatewayConfig Written, LogSink Logs) Build(GatewayConfig config, GatewayHostOptions options)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var written = config.Clone();
        written.Root["Urls"] ??= "http://127.0.0.1:0";
        if (written.Get("Gateway:Admin:Urls") is null)
        {
            written.Set("Gateway:Admin:Urls", JsonValue.Create("http://127.0.0.1:0"));
        }

        if (written.Get("Gateway:Embedded:Path") is null)
        {
            // Each gateway its own embedded-store journal, removed with the folder (a test that restarts names one).
            written.Set("Gateway:Embedded:Path", JsonValue.Create(Path.Combine(directory, "gateway-state.journal")));
        }

        var path = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(path, written.ToJson());
        var logs = new LogSink();
        string[] args =
        [
            "--config", path,
            "--environment", options.Environment,
            // The content root's appsettings.json is not the gateway's config: no file watcher for it.
            "--hostBuilder:reloadConfigOnChange=false",
            .. options.Arguments,
        ];
        WebApplicationBuilder? captured = null;
        try
        {
            var app = GatewayApp.Build(args, builder =>
            {
                captured = builder;
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(options.FrameworkLogLevel);
                builder.Logging.AddFilter("Gateway", options.GatewayLogLevel);
                builder.Logging.AddProvider(logs);
                options.Configure?.Invoke(builder);
            });
            return (app, directory, path, written, logs);
        }
        catch
        {
            // Build threw before the app existed: release the builder's configuration (and its file watchers) here.
            (captured?.Configuration as IDisposable)?.Dispose();
            TryDelete(directory);
            throw;
        }
    }

    private static HttpClient CreateClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(15),
        };

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
