using LoadTests.Cli;
using LoadTests.Engine;
using LoadTests.Hosting;
using LoadTests.Http;
using LoadTests.Reports;
using LoadTests.Scenarios;
using LoadTests.Tokens;

namespace LoadTests.Commands;

/// <summary>
/// <c>run --target URL</c>: scenarios against a running deployment, with tokens minted from a private ES256 JWK
/// (<c>--key</c>) or read from a file, one per line (<c>--tokens</c>).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var target = new Uri(line.Get("target") ?? throw new FormatException("run: --target URL is required"));
        var scenarios = line.All("scenario").SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).DefaultIfEmpty(ScenarioCatalog.ReusedTokens).ToList();
        var copies = line.GetInt("copies", 32);
        var duration = line.GetDuration("duration", TimeSpan.FromSeconds(30));
        var warmup = line.GetDuration("warmup", TimeSpan.FromSeconds(5));
        var rampUp = line.GetDuration("ramp-up", TimeSpan.Zero);
        var rate = line.GetInt("rate", 0);
        var path = line.Get("path") ?? "/api/items";
        var thresholds = line.All("threshold").Select(Threshold.Parse).ToList();
        var pid = line.Get("pid") is { } p ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
        var issuer = line.Get("issuer") ?? "https://dev.gateway.local";
        var audience = line.Get("audience") ?? "api";
        var key = line.Get("key") is { } keyFile ? SigningKey.Load(keyFile) : null;
        var fileTokens = line.Get("tokens") is { } tokenFile
            ? (await File.ReadAllLinesAsync(tokenFile, cancellationToken)).Where(t => t.Length > 0).Select(t => t.StartsWith("Bearer ", StringComparison.Ordinal) ? t : "Bearer " + t).ToArray()
            : null;
        if (key is null && fileTokens is null)
        {
            throw new FormatException("run: --key FILE (private ES256 JWK) or --tokens FILE (one token per line) is required");
        }

        List<LoadSimulation> simulations = [];
        if (rate > 0)
        {
            if (rampUp > TimeSpan.Zero)
            {
                simulations.Add(new RampingInject(rate, TimeSpan.FromSeconds(1), rampUp));
            }

            simulations.Add(new Inject(rate, TimeSpan.FromSeconds(1), duration));
        }
        else
        {
            if (rampUp > TimeSpan.Zero)
            {
                simulations.Add(new RampingConstant(copies, rampUp));
            }

            simulations.Add(new KeepConstant(copies, duration));
        }

        var settings = new ScenarioSettings(simulations, warmup, path);
        using var client = LoadClient.Create(Math.Max(copies, 64));
        using var load = LoadClient.ForScenarios(target, Math.Max(copies, 64));
        using var adminHttp = LoadClient.Create(8);
        var admin = line.Get("admin") is { } adminUrl
            ? new AdminClient(adminHttp, new Uri(adminUrl), line.Get("api-key") ?? Environment.GetEnvironmentVariable("GATEWAY_ADMIN_KEY") ?? throw new FormatException("run: --api-key (or GATEWAY_ADMIN_KEY) is required with --admin"))
            : null;
        var loadTarget = new LoadTarget(line.Get("name") ?? "target", target, ChecksTokens: !line.Has("bare"), pid, admin);
        using var minter = key is null ? null : new TokenMinter(key, issuer, audience);
        var now = TokenMinter.Now;
        var runId = ScenarioCatalog.NewRunId();
        var report = new RunReport { Title = $"loadtests run against {target}", Command = "loadtests " + string.Join(' ', line.Raw), Machine = MachineInfo.Current() };
        var runSettings = new RunSettings();
        var started = DateTime.UtcNow;
        foreach (var name in scenarios)
        {
            List<Scenario> batch;
            switch (name)
            {
                case ScenarioCatalog.ReusedTokens:
                    var reused = fileTokens ?? minter!.MintMany(copies, i => new TokenClaims($"user-{runId}-{i}", $"s-{i}", $"j-{i}", now - 1, now + 7200), "Bearer ");
                    batch = [ScenarioCatalog.Reused(loadTarget, load, reused, settings)];
                    break;
                case ScenarioCatalog.UniqueTokens:
                    var count = line.GetInt("unique-pool", 200_000);
                    var unique = fileTokens ?? minter!.MintMany(count, i => new TokenClaims($"u-{runId}-{i}", $"us-{i}", $"uj-{i}", now - 1, now + 7200), "Bearer ");
                    batch = [ScenarioCatalog.Unique(loadTarget, load, new TokenPool(unique), settings)];
                    break;
                case ScenarioCatalog.InvalidFlood:
                    var bad = key is not null ? ScenarioCatalog.BadAuthorizations(key, issuer, audience, 5000) : Tampered(fileTokens!);
                    batch = [ScenarioCatalog.Invalid(loadTarget, client, bad, settings)];
                    break;
                case ScenarioCatalog.RevocationStorm:
                    var storm = ScenarioCatalog.Storm(loadTarget, client, Need(minter, name), line.GetInt("users", 2000), line.GetInt("revocations", 50), settings, runId);
                    batch = [storm.Load, storm.Revoker];
                    break;
                case ScenarioCatalog.RevocationLag:
                    var second = new LoadTarget("instance 2", new Uri(line.Get("target2") ?? throw new FormatException("revocation-lag: --target2 URL (a second instance on the same Redis) is required")), true);
                    batch = [ScenarioCatalog.Lag(loadTarget, second, client, Need(minter, name), new ScenarioSettings([new KeepConstant(1, duration)], TimeSpan.Zero, path), runId, TimeSpan.FromSeconds(5))];
                    break;
                case ScenarioCatalog.Memory:
                    batch = [ScenarioCatalog.DistinctTokens(loadTarget, client, Need(minter, name), line.GetLong("count", 1_000_000), copies, runId, path)];
                    break;
                default:
                    throw new FormatException($"unknown scenario '{name}' (reused-tokens, unique-tokens, invalid-flood, revocation-storm, revocation-lag, memory)");
            }

            await Console.Out.WriteLineAsync($"running {name} against {target} ...");
            foreach (var result in await ScenarioRunner.RunAsync(batch, runSettings, cancellationToken))
            {
                report.Results.Add(result);
                await Console.Out.WriteAsync(ConsoleReport.Scenario(result));
            }
        }

        report.Elapsed = DateTime.UtcNow - started;
        report.Thresholds.AddRange(ThresholdCheck.Evaluate(thresholds, report.Results));
        var folder = RepoPaths.NewReportFolder(line.Get("reports"));
        await ReportFiles.WriteAsync(report, folder);
        await Console.Out.WriteAsync(ConsoleReport.Summary(report));
        await Console.Out.WriteLineAsync($"reports: {folder}");
        return report.ThresholdsPassed ? 0 : 3;
    }

    private static TokenMinter Need(TokenMinter? minter, string scenario) =>
        minter ?? throw new FormatException($"{scenario} mints its own tokens: --key FILE (private ES256 JWK) is required");

    /// <summary>Without a key: the given tokens with their signatures replaced, plus garbage.</summary>
    private static string[] Tampered(string[] authorizations) =>
        authorizations.Take(5000).SelectMany(a =>
        {
            var token = a["Bearer ".Length..];
            var dot = token.LastIndexOf('.');
            var forged = token[..(dot + 1)] + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return new[] { "Bearer " + forged, "Bearer " + token[..dot] + ".", "Bearer not-a-jwt" };
        }).ToArray();
}
