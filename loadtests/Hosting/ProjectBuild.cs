namespace LoadTests.Hosting;

/// <summary>
/// The Release build of a project in this repository (<c>bin/Release/net10.0/NAME.dll</c>), built first with
/// <c>dotnet build -c Release</c> when missing or older than the project's sources or the central build files.
/// </summary>
internal static class ProjectBuild
{
    public static async Task<string> LocateOrBuildAsync(string relativeProjectFolder, string projectName, TextWriter output, CancellationToken cancellationToken)
    {
        var root = RepoPaths.Root() ?? throw new InvalidOperationException($"Gateway.sln not found above the working directory; cannot build {projectName}");
        var project = Path.Combine(root, relativeProjectFolder);
        var dll = Path.Combine(project, "bin", "Release", "net10.0", projectName + ".dll");
        var newestSource = Directory.EnumerateFiles(project, "*.*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)))
            .Append(Path.Combine(root, "Directory.Packages.props"))
            .Append(Path.Combine(root, "Directory.Build.props"))
            .Where(File.Exists)
            .Max(File.GetLastWriteTimeUtc);
        if (File.Exists(dll) && File.GetLastWriteTimeUtc(dll) >= newestSource)
        {
            return dll;
        }

        var csproj = Path.Combine(project, projectName + ".csproj");
        await output.WriteLineAsync($"Building {projectName}: dotnet build {csproj} -c Release");
        var build = ChildProcesses.Start($"dotnet build {projectName}", "dotnet", ["build", csproj, "-c", "Release", "-nologo", "-v", "q"], workingDirectory: root);
        await build.Process.WaitForExitAsync(cancellationToken);
        var exitCode = build.Process.ExitCode;
        var tail = build.Tail;
        ChildProcesses.Stop(build);
        if (exitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"dotnet build {projectName} -c Release failed ({exitCode}):{Environment.NewLine}{tail}");
        }

        return dll;
    }
}
