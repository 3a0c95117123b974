using System.Globalization;
using LoadTests.Cli;
using LoadTests.Engine;

namespace LoadTests.Commands;

/// <summary>
/// <c>allocs --pid N [--seconds 10] [--top 25] [--requests N]</c>: what a running .NET process allocates, by type,
/// over a window (<see cref="AllocationMeter"/>). With the requests served in the window it gives bytes per request.
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
        if (AllocationMeter.TryStart(pid, out var failure) is not { } meter)
        {
            await Console.Error.WriteLineAsync($"allocs: cannot listen to process {pid}: {failure}");
            return 1;
        }

        AllocationTally tally;
        await using (meter)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            }
            finally
            {
                tally = await meter.StopAsync();
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pid {pid}, {seconds} s: {tally.Bytes / 1e6:0.0} MB allocated, {tally.Collections} GCs"));
        if (requests > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(double)tally.Bytes / requests:0} bytes per request over {requests:N0} requests"));
        }

        foreach (var (type, bytes) in tally.ByType.Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / Math.Max(tally.Bytes, 1),6:0.00} %  {type}"));
        }

        return 0;
    }
}
