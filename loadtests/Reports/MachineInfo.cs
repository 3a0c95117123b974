using System.Runtime;
using System.Runtime.InteropServices;

namespace LoadTests.Reports;

/// <summary>The machine a run was measured on.</summary>
internal sealed record MachineInfo(string Os, string Dotnet, string Cpu, int Cores, double MemoryGb, string LoadAverage, string GeneratorGc)
{
    public static MachineInfo Current()
    {
        return new MachineInfo(
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            ReadCpu(),
            Environment.ProcessorCount,
            Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
            File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a",
            GCSettings.IsServerGC ? "server" : "workstation");
    }

    public IEnumerable<(string Name, string Value)> Rows() =>
    [
        ("OS", Os), (".NET", Dotnet), ("CPU", Cpu), ("cores", Cores.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("memory", $"{MemoryGb} GB"), ("load average at start", LoadAverage),
    ];

    private static string ReadCpu()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
