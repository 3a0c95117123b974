using System.Globalization;
using LoadTests.Cli;
using LoadTests.Engine;
using LoadTests.Hosting;
using LoadTests.Http;
using LoadTests.Reports;
using LoadTests.Scenarios;
using LoadTests.Tokens;

namespace LoadTests.Commands;

/// <summary>
/// <c>soak</c> (issue 6; minutes, not for CI): load with revocations running, Redis stopped and restarted in the
/// middle (append-only file, so revocations survive), then: zero revoked requests let through, and the gateway's
/// resident memory over time.
/// </summary>
internal static class SoakCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var output = Console.Out;
        var duration = line.GetDuration("duration", TimeSpan.FromMinutes(10));
        var copies = line.GetInt("copies", 16);
        var outage = line.GetDuration("redis-outage", TimeSpan.FromSeconds(5));
        var report = new RunReport
        {
            Title = "Gateway soak: revocations and a Redis restart under load",
            Command = "dotnet run --project loadtests -c Release -- " + string.Join(' ', line.Raw),
            Machine = MachineInfo.Current(),
        };
        var started = DateTime.UtcNow;
        await using var deployment = await LocalDeployment.StartAsync(baseline: false, persistentRedis: true, line.Get("gateway-dll"), output, cancellationToken);
        using var client = LoadClient.Create(copies);
        using var adminHttp = LoadClient.Create(8);
        var gateway = new LoadTarget("gateway", deployment.Gateway.Url, true, deployment.Gateway.Process.Pid,
            new AdminClient(adminHttp, deployment.Gateway.AdminUrl, deployment.ApiKey));
        using var minter = new TokenMinter(deployment.Key, GatewayInstance.Issuer, GatewayInstance.Audience);
        var settings = new ScenarioSettings([new KeepConstant(copies, duration)], TimeSpan.FromSeconds(5));
        var storm = ScenarioCatalog.Storm(gateway, client, minter, line.GetInt("users", 20_000), line.GetInt("revocations", 5), settings, ScenarioCatalog.NewRunId());

        var restart = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5) + (duration / 2), cancellationToken);
            await output.WriteLineAsync($"  soak: stopping redis-server (pid {deployment.Redis.Process?.Pid}) for {outage.TotalSeconds:0} s");
            deployment.Redis.Stop();
            await Task.Delay(outage, cancellationToken);
            await deployment.Redis.StartProcessAsync(cancellationToken);
            await output.WriteLineAsync($"  soak: redis-server restarted (pid {deployment.Redis.Process?.Pid}) on the same port with its append-only file");
        }, cancellationToken);
        var results = await ScenarioRunner.RunAsync([storm.Load, storm.Revoker], new RunSettings { ProgressInterval = TimeSpan.FromSeconds(10) }, cancellationToken);
        await restart;
        foreach (var result in results)
        {
            report.Results.Add(result);
            await output.WriteAsync(ConsoleReport.Scenario(result));
        }

        var load = results[0];
        var violations = load.Metrics.GetValueOrDefault("violations (revoked token let through)");
        var revokedRequests = load.Steps.FirstOrDefault(s => s.Name == "revoked token")?.Requests ?? 0;
        report.Comparison.Add(new ComparisonRow(
            $"revoked requests let through ({results[1].Metrics.GetValueOrDefault("revocations published (warm-up included)"):N0} revocations, {revokedRequests:N0} requests with revoked tokens)",
            "", violations.ToString("N0", CultureInfo.InvariantCulture), "", "0", violations == 0 && revokedRequests > 0 ? "pass" : "MISS"));
        report.Comparison.Add(new ComparisonRow("requests refused with 503 while Redis was down", "",
            load.Metrics.GetValueOrDefault("session store unavailable (503)").ToString("N0", CultureInfo.InvariantCulture), "", "info", "info"));
        report.Comparison.Add(new ComparisonRow("gateway RSS start / end / peak (MB)", "",
            string.Create(CultureInfo.InvariantCulture, $"{load.Metrics.GetValueOrDefault("rss gateway start (MB)"):0} / {load.Metrics.GetValueOrDefault("rss gateway end (MB)"):0} / {load.Metrics.GetValueOrDefault("rss gateway peak (MB)"):0}"),
            "", "flat", "info"));
        report.Elapsed = DateTime.UtcNow - started;
        report.Thresholds.AddRange(ThresholdCheck.Evaluate(line.All("threshold").Select(Threshold.Parse).ToList(), report.Results));
        var folder = RepoPaths.NewReportFolder(line.Get("reports"));
        await ReportFiles.WriteAsync(report, folder);
        await output.WriteAsync(ConsoleReport.Summary(report));
        await output.WriteLineAsync($"reports: {folder}");
        return report.ThresholdsPassed && violations == 0 ? 0 : 3;
    }
}
