using System.Globalization;

namespace LoadTests.Cli;

/// <summary><c>command --name value --flag ...</c>; options may repeat (e.g. <c>--threshold</c>).</summary>
internal sealed class CommandLine
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "quick", "help", "jwks", "keep", "calibrate", "bare" };
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine(string command, string[] raw)
    {
        Command = command;
        Raw = raw;
    }

    public string Command { get; }

    public string[] Raw { get; }

    public static CommandLine Parse(string[] args)
    {
        var line = new CommandLine(args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "help", args);
        for (var i = line.Command == "help" && args.Length > 0 && args[0].StartsWith("--", StringComparison.Ordinal) ? 0 : 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new FormatException($"unexpected argument '{args[i]}'");
            }

            var name = args[i][2..];
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                line.Add(name[..eq], name[(eq + 1)..]);
            }
            else if (Flags.Contains(name))
            {
                line._flags.Add(name);
            }
            else if (i + 1 < args.Length)
            {
                line.Add(name, args[++i]);
            }
            else
            {
                throw new FormatException($"--{name} needs a value");
            }
        }

        return line;
    }

    public bool Has(string flag) => _flags.Contains(flag) || _values.ContainsKey(flag);

    public string? Get(string name) => _values.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var values) ? values : [];

    public int GetInt(string name, int fallback) => Get(name) is { } text ? int.Parse(text.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public long GetLong(string name, long fallback) => Get(name) is { } text ? long.Parse(text.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public TimeSpan GetDuration(string name, TimeSpan fallback) => Get(name) is { } text ? ParseDuration(text) : fallback;

    /// <summary><c>500ms</c>, <c>20s</c>, <c>5m</c>, <c>1h</c>, or <c>hh:mm:ss</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours),
        ];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return make(value);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : throw new FormatException($"'{text}' is not a duration (e.g. 20s, 2m, 00:01:00)");
    }

    private void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var values))
        {
            _values[name] = values = [];
        }

        values.Add(value);
    }
}
