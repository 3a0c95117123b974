using System.Diagnostics;
using System.Text;

namespace Gateway.Testing;

/// <summary>A child process's stdout and stderr lines, collected from both streams' threads, for error messages.</summary>
public sealed class ProcessOutput
{
    private readonly StringBuilder _lines = new();

    /// <summary>Starts collecting both streams of <paramref name="process"/> (call before reading begins: <see cref="Process.BeginOutputReadLine"/>).</summary>
    public static ProcessOutput Capture(Process process)
    {
        var output = new ProcessOutput();
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        return output;
    }

    public void Append(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.AppendLine(line);
            }
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            return _lines.ToString();
        }
    }
}
