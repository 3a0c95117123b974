using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Telemetry;

/// <summary>
/// The Grafana dashboard and the Prometheus alert rules in <c>config/</c> are valid JSON / YAML, and every metric they
/// query is one the gateway exports (names taken from a live scrape, so a renamed instrument breaks this test).
/// </summary>
[Collection(ObservedGateway.CollectionName)]
public sealed partial class DashboardAndAlertTests(ObservedGateway fixture)
{
    private static readonly HashSet<string> PromQlKeywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan",
    };

    [Fact]
    public async Task Dashboard_EveryQueriedMetric_IsExported()
    {
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryFile("config", "grafana", "gateway-dashboard.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        var expressions = panels.SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.All(panels, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("title").GetString())));

        var exported = await ExportedNamesAsync();

        AssertAllExported(expressions, exported, "dashboard");
        // Each gateway instrument has a panel.
        Assert.All(exported.Where(n => n.StartsWith("gateway_", StringComparison.Ordinal)).Select(Family),
            family => Assert.Contains(expressions, e => e.Contains(family, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AlertRules_EveryQueriedMetric_IsExportedAndRequiredAlertsExist()
    {
        var rules = ParseAlertRules(await File.ReadAllLinesAsync(RepositoryFile("config", "prometheus", "gateway-alerts.yml")));
        Assert.Contains("GatewaySessionStoreUnreachable", rules.Keys);
        Assert.Contains("GatewayRefusalRateSpike", rules.Keys);
        Assert.Contains("GatewayRevocationLagHigh", rules.Keys);
        Assert.Contains("gateway_revocation_lag_seconds_bucket", rules["GatewayRevocationLagHigh"], StringComparison.Ordinal);
        Assert.EndsWith("> 1", rules["GatewayRevocationLagHigh"].Trim(), StringComparison.Ordinal);

        var exported = await ExportedNamesAsync();

        AssertAllExported(rules.Values, exported, "alert rules");
    }

    [Fact]
    public async Task Readme_Operations_ListsEveryGatewayMetric()
    {
        var readme = await File.ReadAllTextAsync(RepositoryFile("README.md"));
        var start = readme.IndexOf("## Operations", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Operations' section");
        var next = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var operations = next < 0 ? readme[start..] : readme[start..next];

        var exported = await ExportedNamesAsync();

        Assert.All(exported.Where(n => n.StartsWith("gateway_", StringComparison.Ordinal)).Select(Family).Distinct(),
            family => Assert.Contains(family, operations, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sum by (reason) (rate(gateway_requests_total{outcome!=\"allowed\"}[$__rate_interval]))", "gateway_requests_total")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(gateway_redis_duration_seconds_bucket[5m]))) > 1", "gateway_redis_duration_seconds_bucket")]
    [InlineData("a_total and b_total > 3 * sum(rate(c_total[1h] offset 5m))", "a_total b_total c_total")]
    [InlineData("min by (check) (gateway_health_check_status) == 0", "gateway_health_check_status")]
    public void MetricNames_PromQl_FindsOnlyMetrics(string expression, string expected)
    {
        Assert.Equal(expected.Split(' '), MetricNames(expression));
    }

    /// <summary>alert name → expression, from <c>- alert:</c> / <c>expr:</c> lines (plain or block scalars).</summary>
    internal static Dictionary<string, string> ParseAlertRules(string[] lines)
    {
        var rules = new Dictionary<string, string>(StringComparer.Ordinal);
        string? alert = null;
        Assert.Contains(lines, l => l.Trim() == "groups:");
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.DoesNotContain('\t', lines[i]);
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("- alert:", StringComparison.Ordinal))
            {
                alert = Unquote(trimmed["- alert:".Length..]);
                Assert.False(rules.ContainsKey(alert), $"alert {alert} defined twice");
                continue;
            }

            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(alert is not null, $"line {i + 1}: expr outside an alert");
            var value = trimmed["expr:".Length..].Trim();
            if (value is "|" or "|-" or ">" or ">-")
            {
                var indent = lines[i].Length - lines[i].TrimStart().Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Add(lines[++i].Trim());
                }

                value = string.Join(' ', block).Trim();
            }
            else
            {
                value = Unquote(value);
            }

            Assert.False(string.IsNullOrWhiteSpace(value), $"alert {alert}: empty expr");
            Assert.Equal(value.Count(c => c == '('), value.Count(c => c == ')'));
            rules[alert!] = value;
        }

        Assert.NotEmpty(rules);
        return rules;
    }

    /// <summary>The metric names in a PromQL expression: identifiers that are not functions, keywords or labels.</summary>
    internal static List<string> MetricNames(string expression)
    {
        var text = QuotedString().Replace(expression, "\"\"");
        text = LabelMatchers().Replace(text, " ");
        text = RangeSelectors().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        var names = new List<string>();
        foreach (Match match in Identifier().Matches(text))
        {
            var rest = text.AsSpan(match.Index + match.Length).TrimStart();
            if ((rest.Length > 0 && rest[0] == '(') || PromQlKeywords.Contains(match.Value) || names.Contains(match.Value))
            {
                continue;
            }

            names.Add(match.Value);
        }

        return names;
    }

    private static void AssertAllExported(IEnumerable<string> expressions, IReadOnlySet<string> exported, string what)
    {
        var used = expressions.SelectMany(MetricNames).Distinct().ToList();
        Assert.NotEmpty(used);
        var unknown = used.Where(n => !exported.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, $"{what} query metrics the gateway does not export: {string.Join(", ", unknown)}");
    }

    /// <summary>
    /// Every name on a scrape of a gateway that has served allowed and refused requests, after each gateway instrument
    /// has recorded once (some are fed by code paths these tests do not drive: pub/sub, admin, FailureMode=Open).
    /// </summary>
    private async Task<IReadOnlySet<string>> ExportedNamesAsync()
    {
        var gateway = fixture.Gateway;
        using (var allowed = await gateway.GetAsync($"{fixture.RoutePrefix}/dashboard", fixture.Token()))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using (var refused = await gateway.GetAsync($"{fixture.RoutePrefix}/dashboard"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var metrics = gateway.Services.GetRequiredService<GatewayMetrics>();
        metrics.SessionCacheHit();
        metrics.SessionCacheMiss();
        metrics.RedisCall("read", TimeSpan.FromMilliseconds(1), failed: true);
        metrics.RevocationReceived("token", TimeSpan.FromMilliseconds(3));
        metrics.AdminCall("revoke_token", "ok");
        metrics.StaleServed();
        metrics.InventoryWrite("written");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var names = (await PrometheusScrape.FromAsync(gateway)).Names;
            // The health gauge appears after the first background probe (one second after start).
            if (names.Contains("gateway_health_check_status") || timeout.IsCancellationRequested)
            {
                return names;
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    private static string Family(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    private static string Unquote(string value)
    {
        value = value.Trim();
        return value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0] ? value[1..^1] : value;
    }

    internal static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new FileNotFoundException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeSelectors();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
