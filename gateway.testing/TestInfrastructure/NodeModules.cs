using System.Diagnostics;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// Runs <c>npm ci</c> in a Node project folder when its <c>node_modules</c> is missing or older than its
/// <c>package-lock.json</c>: once per process (a static gate for parallel test classes) and once across processes
/// (an exclusive lock file in the temp folder).
/// </summary>
public static class NodeModules
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureInstalledAsync(string directory)
    {
        if (IsInstalled(directory))
        {
            return;
        }

        await Gate.WaitAsync();
        try
        {
            using var fileLock = await LockAsync(Path.Combine(Path.GetTempPath(), "gateway-tests-npm-ci.lock"), TimeSpan.FromMinutes(5));
            if (!IsInstalled(directory))
            {
                await RunNpmCiAsync(directory);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>npm writes <c>node_modules/.package-lock.json</c> last; it must be no older than the lock file it came from.</summary>
    private static bool IsInstalled(string directory)
    {
        var marker = new FileInfo(Path.Combine(directory, "node_modules", ".package-lock.json"));
        var lockFile = new FileInfo(Path.Combine(directory, "package-lock.json"));
        return marker.Exists && (!lockFile.Exists || marker.LastWriteTimeUtc >= lockFile.LastWriteTimeUtc);
    }

    private static async Task<FileStream> LockAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task RunNpmCiAsync(string directory)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["ci", "--no-audit", "--no-fund"])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                "npm is not on PATH. Install Node.js and npm (apt-get install -y nodejs npm; ./test.sh does this) to run the identity provider tests.", ex);
        }

        using (process)
        {
            var output = ProcessOutput.Capture(process);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm ci in {directory} took over 5 minutes: {output}");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {directory} failed with exit code {process.ExitCode}: {output}");
            }
        }
    }
}
