using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>One sample line of the Prometheus text format.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A parsed <c>/metrics</c> answer (text format; enough of it for tests).</summary>
public sealed partial class PrometheusScrape
{
    private PrometheusScrape(IReadOnlyList<PrometheusSample> samples)
    {
        Samples = samples;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Every sample name (histograms as <c>_bucket</c>, <c>_sum</c>, <c>_count</c>).</summary>
    public IReadOnlySet<string> Names => Samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    public static async Task<PrometheusScrape> FromAsync(GatewayHost gateway)
    {
        using var response = await gateway.AdminClient.GetAsync(new Uri("metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds (5 s at most) and returns that scrape: a response reaches the client
    /// a moment before the gateway records its duration.
    /// </summary>
    public static async Task<PrometheusScrape> WhenAsync(GatewayHost gateway, Func<PrometheusScrape, bool> done)
    {
        PrometheusScrape? last = null;
        await Reliability.ReliabilityRig.WaitUntilAsync(async () => done(last = await FromAsync(gateway)), TimeSpan.FromSeconds(5), "the scrape shows the requests");
        return last!;
    }

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = label.Groups["value"].Value;
            }

            var value = double.Parse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            samples.Add(new PrometheusSample(match.Groups["name"].Value, labels, value));
        }

        return new PrometheusScrape(samples);
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
