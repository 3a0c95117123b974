using LoadTests.Cli;
using LoadTests.Hosting;

namespace LoadTests.Commands;

/// <summary><c>backend --urls URL</c> and <c>baseline --urls URL --backend URL</c>: run until Ctrl+C.</summary>
internal static class ServerCommands
{
    public static async Task<int> BackendAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var urls = line.Get("urls") ?? "http://127.0.0.1:5000";
        await using var app = BackendServer.Build(urls);
        await app.StartAsync(cancellationToken);
        await Console.Out.WriteLineAsync($"backend (echo) listening on {urls}; Ctrl+C stops it");
        await WaitAsync(cancellationToken);
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    public static async Task<int> BaselineAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var urls = line.Get("urls") ?? "http://127.0.0.1:8090";
        var backend = line.Get("backend") ?? "http://127.0.0.1:5000";
        await using var app = BaselineProxy.Build(urls, backend);
        await app.StartAsync(cancellationToken);
        await Console.Out.WriteLineAsync($"baseline (bare YARP, no token checks) listening on {urls}, forwarding to {backend}; Ctrl+C stops it");
        await WaitAsync(cancellationToken);
        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    private static async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
