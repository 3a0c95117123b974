using System.Diagnostics;

namespace LoadTests.Engine;

/// <summary>CPU time and resident memory of a process by pid (this one included), read through /proc on Linux.</summary>
internal static class ProcessSampler
{
    public static TimeSpan? CpuTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Resident set size in MB, or null when the process is gone.</summary>
    public static double? RssMb(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Refresh();
            return process.WorkingSet64 / (1024.0 * 1024.0);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
