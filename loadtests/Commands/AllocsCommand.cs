using System.Diagnostics.Tracing;
using System.Globalization;
using LoadTests.Cli;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace LoadTests.Commands;

/// <summary>
/// <c>allocs --pid N</c>: what a running .NET process allocates, by type, over a window. It listens to the runtime's
/// allocation ticks over EventPipe (one event per about 100 KB allocated, naming the type that crossed the mark), so
/// the byte total is exact to a tick per heap and the shares by type are a sample, weighted by size. Divided by the
/// requests served in the window it gives bytes per request, steadier on a shared machine than RPS or CPU.
/// </summary>
internal static class AllocsCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        if (line.Get("pid") is not { } pidText || !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            await Console.Error.WriteLineAsync("allocs: --pid N is required (the process to sample)");
            return 2;
        }

        var seconds = line.GetInt("seconds", 10);
        var top = line.GetInt("top", 25);
        var requests = line.GetLong("requests", 0);
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC) };
        using var session = client.StartEventPipeSession(providers, requestRundown: false);
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        var collections = 0;
        using var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCAllocationTick += e =>
        {
            var name = e.TypeName ?? "?";
            byType[name] = byType.GetValueOrDefault(name) + e.AllocationAmount64;
            total += e.AllocationAmount64;
        };
        source.Clr.GCStart += _ => collections++;
        var processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await processing;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {pid}, {seconds} s: {total / 1e6:0.0} MB allocated, {collections} GCs"));
        if (requests > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(double)total / requests:0} bytes per request over {requests:N0} requests"));
        }

        foreach (var (type, bytes) in byType.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / Math.Max(total, 1),6:0.00} %  {type}"));
        }

        return 0;
    }
}
