namespace Gateway.Hosting;

/// <summary>
/// Finds the configuration file: <c>--config PATH</c>, else <c>GATEWAY_CONFIG</c>, else the first
/// <c>config/appsettings.json</c> found from the working directory upwards, then from the app's folder upwards.
/// </summary>
internal static class ConfigFileLocator
{
    public const string EnvironmentVariable = "GATEWAY_CONFIG";
    public const string Argument = "--config";

    public static string? Locate(string[] args)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (string.Equals(args[i], Argument, StringComparison.Ordinal))
            {
                return Path.GetFullPath(args[i + 1]);
            }
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            return Path.GetFullPath(fromEnv);
        }

        return SearchUp(Directory.GetCurrentDirectory()) ?? SearchUp(AppContext.BaseDirectory);
    }

    /// <summary>The arguments without <c>--config PATH</c>, which ASP.NET's command-line source would misread.</summary>
    public static string[] Strip(string[] args)
    {
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (string.Equals(args[i], Argument, StringComparison.Ordinal))
            {
                i++;
                continue;
            }

            rest.Add(args[i]);
        }

        return [.. rest];
    }

    private static string? SearchUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "appsettings.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
