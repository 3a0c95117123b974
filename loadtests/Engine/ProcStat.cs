using System.Globalization;

namespace LoadTests.Engine;

/// <summary>
/// Cheap reads of <c>/proc</c> (Linux) for the open-model timeline: the host's CPU ticks by state and one process's
/// CPU ticks and thread count. Zeros where <c>/proc</c> is missing or the process is gone.
/// </summary>
internal static class ProcStat
{
    /// <summary>The host's CPU ticks, summed over cores: all states, idle (with I/O wait), and stolen by the hypervisor.</summary>
    internal readonly record struct HostTicks(long Total, long Idle, long Steal)
    {
        /// <summary>The share of the ticks since <paramref name="before"/> the hypervisor stole, in %; null when none passed.</summary>
        public double? StealPercentSince(HostTicks before) =>
            Total > before.Total ? 100.0 * (Steal - before.Steal) / (Total - before.Total) : null;
    }

    public static HostTicks Host()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return ParseHost(reader.ReadLine());
        }
        catch (IOException)
        {
            return default;
        }
        catch (UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>The first line of <c>/proc/stat</c>: <c>cpu user nice system idle iowait irq softirq steal ...</c>.</summary>
    public static HostTicks ParseHost(string? line)
    {
        if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
        {
            return default;
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0;
        // Guest time is already counted in user and nice: the first eight states are the whole.
        for (var i = 1; i < fields.Length && i <= 8; i++)
        {
            total += long.Parse(fields[i], CultureInfo.InvariantCulture);
        }

        long At(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return new HostTicks(total, At(4) + At(5), At(8));
    }

    /// <summary>User plus system ticks and the thread count of <paramref name="pid"/>.</summary>
    public static (long Ticks, int Threads) Process(int pid)
    {
        try
        {
            return ParseProcess(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return (0, 0);
        }
        catch (UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    /// <summary>
    /// <c>/proc/&lt;pid&gt;/stat</c>: the command name in parentheses may hold spaces, so fields count from the last
    /// ')': state is field 3, utime 14, stime 15, num_threads 20.
    /// </summary>
    public static (long Ticks, int Threads) ParseProcess(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return (0, 0);
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 18)
        {
            return (0, 0);
        }

        // fields[0] is field 3 (state).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (ticks, int.Parse(fields[17], CultureInfo.InvariantCulture));
    }
}
