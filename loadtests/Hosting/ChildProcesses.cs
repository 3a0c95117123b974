using System.Collections.Concurrent;
using System.Diagnostics;
using LoadTests.Engine;

namespace LoadTests.Hosting;

/// <summary>A process this tool started, with the tail of its output for error messages.</summary>
internal sealed class ChildProcess
{
    private readonly ConcurrentQueue<string> _tail = new();

    public ChildProcess(string name, Process process)
    {
        Name = name;
        Process = process;
        Pid = process.Id;
    }

    public string Name { get; }

    public Process Process { get; }

    public int Pid { get; }

    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public string Tail => string.Join(Environment.NewLine, _tail);

    internal void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > 40 && _tail.TryDequeue(out _))
        {
        }
    }
}

/// <summary>
/// Every process this tool starts is registered here and stopped by its pid: at the end of a command, on failure,
/// on Ctrl+C and at process exit. Nothing is ever stopped by name.
/// </summary>
internal static class ChildProcesses
{
    private static readonly List<ChildProcess> Started = [];
    private static int _hooked;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        Hook();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        GeneratorRuntime.ForChild(info.Environment);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        ChildProcess? child = null;
        process.OutputDataReceived += (_, e) => child?.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child?.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: could not start {fileName}");
        }

        child = new ChildProcess(name, process);
        lock (Started)
        {
            Started.Add(child);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Stops one process by pid (and the processes it started), waiting for it to go.</summary>
    public static void Stop(ChildProcess child)
    {
        try
        {
            if (!child.HasExited)
            {
                child.Process.Kill(entireProcessTree: true);
                child.Process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        lock (Started)
        {
            Started.Remove(child);
        }

        child.Process.Dispose();
    }

    public static void StopAll()
    {
        List<ChildProcess> all;
        lock (Started)
        {
            all = [.. Started];
        }

        for (var i = all.Count - 1; i >= 0; i--)
        {
            Stop(all[i]);
        }
    }

    private static void Hook()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        }
    }
}
