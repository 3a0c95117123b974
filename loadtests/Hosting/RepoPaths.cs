namespace LoadTests.Hosting;

/// <summary>Finds the repository (the folder with Gateway.sln) and this tool's own launch command.</summary>
internal static class RepoPaths
{
    public static string? Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>loadtests/reports/&lt;timestamp&gt;/ in the repository, else ./reports/&lt;timestamp&gt;/.</summary>
    public static string NewReportFolder(string? explicitFolder)
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var parent = explicitFolder ?? (Root() is { } root ? Path.Combine(root, "loadtests", "reports") : Path.Combine(Directory.GetCurrentDirectory(), "reports"));
        var folder = Path.Combine(parent, stamp);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The command that starts this tool again (for the backend and baseline child processes).</summary>
    public static (string FileName, string[] Prefix) Self()
    {
        var entry = typeof(RepoPaths).Assembly.Location;
        return ("dotnet", [entry]);
    }
}
