using System.Diagnostics;
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
/// <c>compare</c>: starts everything on loopback, alternates bare-YARP and gateway runs of the same scenarios,
/// runs the gateway-only checks (revocation storm and lag, memory), prints the ratios and writes the reports.
/// </summary>
internal sealed class CompareCommand
{
    private readonly CommandLine _line;
    private readonly TextWriter _out = Console.Out;
    private readonly bool _quick;
    private readonly bool _calibrate;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _warmup;
    private readonly int _rounds;
    private readonly int _copies;
    private readonly int _stealLimit;
    private readonly HashSet<string> _only;
    private readonly HashSet<string> _skip;
    private readonly RunSettings _settings;
    private readonly RunReport _report;

    private CompareCommand(CommandLine line)
    {
        _line = line;
        _quick = line.Has("quick");
        _calibrate = line.Has("calibrate");
        _duration = line.GetDuration("duration", _quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(20));
        _warmup = line.GetDuration("warmup", _quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5));
        _rounds = line.GetInt("rounds", _quick ? 1 : 2);
        _copies = line.GetInt("copies", 32);
        _stealLimit = line.GetInt("steal-limit", 10);
        _only = Set(line.All("only"));
        _skip = Set(line.All("skip"));
        _settings = new RunSettings { ProgressInterval = _quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(5) };
        _report = new RunReport
        {
            Title = _calibrate ? "Bare YARP vs bare YARP (calibration): loadtests compare --calibrate" : "Gateway vs bare YARP: loadtests compare" + (_quick ? " --quick" : ""),
            Command = "dotnet run --project loadtests -c Release -- " + string.Join(' ', line.Raw),
            Machine = MachineInfo.Current(),
        };
    }

    public static async Task<int> RunAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var command = new CompareCommand(line);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await command.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (command._report.Results.Count > 0)
        {
            // Cancelled or failed half-way: keep what was measured.
            command._report.Notes.Add($"INCOMPLETE run ({(ex is OperationCanceledException ? "cancelled" : ex.GetType().Name + ": " + ex.Message)}): only the checks that finished are reported");
            command._report.Elapsed = Stopwatch.GetElapsedTime(started);
            var folder = RepoPaths.NewReportFolder(line.Get("reports"));
            await ReportFiles.WriteAsync(command._report, folder);
            await command._out.WriteAsync(ConsoleReport.Summary(command._report));
            await command._out.WriteLineAsync($"partial reports: {folder}");
            throw;
        }
    }

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var thresholds = _line.All("threshold").Select(Threshold.Parse).ToList();
        await _out.WriteLineAsync($"compare{(_quick ? " --quick" : "")}: warm-up {_warmup.TotalSeconds} s, measure {_duration.TotalSeconds} s, {_rounds} round(s), {_copies} copies; " +
                                  $"machine: {_report.Machine.Cores} cores, {_report.Machine.Cpu}, load {_report.Machine.LoadAverage}");
        await using var deployment = await LocalDeployment.StartAsync(baseline: true, persistentRedis: false, _line.Get("gateway-dll"), _out, cancellationToken);
        using var baselineClient = LoadClient.Create(_copies);
        using var gatewayClient = LoadClient.Create(_copies);
        using var adminHttp = LoadClient.Create(16);
        // The throughput scenarios send through the lean client, one per target (it holds one origin's connections).
        using var baselineLoad = LoadClient.ForScenarios(deployment.BaselineUrl!, _copies);
        using var gatewayLoad = LoadClient.ForScenarios(deployment.Gateway.Url, _copies);
        var admin = new AdminClient(adminHttp, deployment.Gateway.AdminUrl, deployment.ApiKey);
        var baseline = new LoadTarget("baseline", deployment.BaselineUrl!, ChecksTokens: false, deployment.Baseline!.Pid);
        var gateway = new LoadTarget("gateway", deployment.Gateway.Url, ChecksTokens: true, deployment.Gateway.Process.Pid, admin)
        {
            Counters = [new ExternalCounter("redis commands", deployment.Redis.CommandsProcessedAsync)],
        };
        ILoadClient? calibrationLoad = null;
        if (_calibrate)
        {
            // An A/A run: a second bare YARP takes the gateway's column, so every verdict shows what this machine's
            // noise alone gives at this number of rounds.
            var (url, process) = await deployment.StartBaselineAsync("baseline-b", cancellationToken);
            gateway = new LoadTarget("baseline-b", url, ChecksTokens: false, process.Pid);
            calibrationLoad = LoadClient.ForScenarios(url, _copies);
            _report.Notes.Add("CALIBRATION (--calibrate): the gateway column is a second bare YARP process on the same backend; the verdicts show how far two identical proxies land apart on this machine in this many rounds, not the gateway");
        }

        using var disposeCalibration = calibrationLoad;
        HttpClient ClientFor(LoadTarget t) => t.Url == baseline.Url ? baselineClient : gatewayClient;
        ILoadClient LoadFor(LoadTarget t) => t.Url == baseline.Url ? baselineLoad : calibrationLoad ?? gatewayLoad;

        using var minter = new TokenMinter(deployment.Key, GatewayInstance.Issuer, GatewayInstance.Audience);
        var runId = ScenarioCatalog.NewRunId();
        var now = TokenMinter.Now;
        await SanityCheckAsync(deployment, gatewayClient, baselineClient, minter, cancellationToken);
        var (ecdsaMicros, directMicros, tableMicros, handlerMicros) = await VerifyCost.MeasureAsync(deployment.Key, GatewayInstance.Issuer, GatewayInstance.Audience);
        var direct = directMicros is { } micros ? string.Create(CultureInfo.InvariantCulture, $"{micros:0} µs") : "not available (no libcrypto 3)";
        var table = tableMicros is { } fast ? string.Create(CultureInfo.InvariantCulture, $"{fast:0} µs") : "not available (no libcrypto 3)";
        _report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"ES256 verification on this machine, CPU time on one thread: {ecdsaMicros:0} µs the platform's ECDsa, {direct} libcrypto EVP_PKEY_verify, {table} libcrypto with the key's precomputed table (the gateway's path once a key has verified: the floor of a unique token's cost), {handlerMicros:0} µs through JsonWebTokenHandler"));

        // 1. Closed model, reused tokens: the maximum of each, and the RPS ratio.
        var reusedAuth = minter.MintMany(_copies, i => new TokenClaims($"user-{runId}-{i}", $"s-{i}", $"j-{i}", now - 1, now + 7200), "Bearer ");
        var closed = new ScenarioSettings([new KeepConstant(_copies, _duration)], _warmup);
        // Skipped when no selected check needs it (e.g. --only memory): it saturates the machine for minutes.
        List<ScenarioResult> reusedBase = [], reusedGate = [];
        if (Runs(ScenarioCatalog.ReusedTokens) || Runs(ScenarioCatalog.DpopTokens) || Runs("open") || Runs(ScenarioCatalog.UniqueTokens) ||
            Runs(ScenarioCatalog.RevocationLag))
        {
            // Bytes allocated per request too: unlike RPS and CPU time they do not drift with the host's speed.
            var measured = closed with { MeasureAllocations = true };
            (reusedBase, reusedGate) = await AlternateAsync(baseline, gateway, t => ScenarioCatalog.Reused(t, LoadFor(t), reusedAuth, measured), cancellationToken);
            var (quietBase, quietGate, stolen) = Quiet(reusedBase, reusedGate);
            AddRatio($"reused-tokens, closed {_copies} copies: RPS{stolen}", quietBase, quietGate, r => r.Global.Ok.Rps, 0.95, "N0");
            AddCpuRow("reused-tokens", quietBase, quietGate, withinMicros: 5, leftOut: stolen);
            AddAllocationRow("reused-tokens", reusedBase, reusedGate);
        }

        // The median round, like the verdicts: one unusually fast round would set the open model's rate near saturation.
        var bareMax = Median.Of(reusedBase.Select(r => r.Global.Ok.Rps));

        // 1b. Reused DPoP-bound tokens: a fresh proof per request (one signature check and one replay check each).
        if (Runs(ScenarioCatalog.DpopTokens))
        {
            var gatewayRps = Mean(reusedGate, r => r.Global.Ok.Rps);

            // A proof is good once: the pool must outlast every round without wrapping (bare YARP's rate bounds the gateway's).
            var dpopSize = (int)Math.Clamp(Mean(reusedBase, r => r.Global.Ok.Rps) * (_warmup + _duration).TotalSeconds * _rounds, 20_000, _line.GetInt("dpop-pool", 600_000));
            var mintStart = Stopwatch.GetTimestamp();
            using var proofs = new DpopProofMinter();
            var dpopTokens = minter.MintMany(_copies, i => new TokenClaims($"dpop-{runId}-{i}", $"ds-{i}", $"dj-{i}", now - 1, now + 7200, Jkt: proofs.Thumbprint));
            var athOf = dpopTokens.Select(DpopProofMinter.Ath).ToArray();
            var htu = new Uri(gateway.Url, closed.Path).GetLeftPart(UriPartial.Path);
            var iat = TokenMinter.Now;
            var requests = new (string, string)[dpopSize];
            Parallel.For(0, dpopSize, i => requests[i] = ("DPoP " + dpopTokens[i % _copies], proofs.Proof("GET", htu, athOf[i % _copies], iat)));
            var mintSeconds = Stopwatch.GetElapsedTime(mintStart).TotalSeconds;
            _report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"dpop-tokens: {_copies} DPoP-bound tokens reused, {dpopSize:N0} proofs (one per request) pre-made in {mintSeconds:0.0} s; Gateway:Dpop:IatWindow 10 min"));
            var gatewayPool = new DpopPool(requests);
            var baselinePool = new DpopPool(requests);
            var (b, g) = await AlternateAsync(baseline, gateway, t => ScenarioCatalog.Dpop(t, LoadFor(t), t.ChecksTokens ? gatewayPool : baselinePool, closed), cancellationToken);
            var bareRps = Mean(b, r => r.Global.Ok.Rps);
            var dpopRps = Mean(g, r => r.Global.Ok.Rps);
            var dpopFailures = g.Sum(r => r.Global.Fail.Count);
            _report.Comparison.Add(new ComparisonRow(
                $"dpop-tokens (reused DPoP-bound tokens, a fresh proof each request), closed {_copies} copies: RPS ({dpopFailures:N0} gateway failures)",
                bareRps.ToString("N0", CultureInfo.InvariantCulture), dpopRps.ToString("N0", CultureInfo.InvariantCulture),
                Times(dpopRps, bareRps), "info", dpopFailures == 0 ? "info" : "MISS"));
            _report.Comparison.Add(new ComparisonRow($"dpop-tokens vs reused bearer tokens, gateway RPS", gatewayRps.ToString("N0", CultureInfo.InvariantCulture),
                dpopRps.ToString("N0", CultureInfo.InvariantCulture), Times(dpopRps, gatewayRps), "info", "info"));
            AddCpuRow(ScenarioCatalog.DpopTokens, b, g);
        }

        // 2. Open model at fractions of bare YARP's maximum: latency from intended start times.
        var fractions = _line.Get("open") is { } open
            ? open.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture) / 100).ToArray()
            : _quick ? [0.5] : [0.5, 0.7, 0.9];
        if (Runs("open"))
        {
            foreach (var fraction in fractions)
            {
                var rate = Math.Max(1, (int)(bareMax * fraction));
                var openSettings = new ScenarioSettings([new Inject(rate, TimeSpan.FromSeconds(1), _duration)], _warmup);
                var name = $"reused-tokens open {fraction * 100:0}%";
                var (allBase, allGate) = await AlternateAsync(baseline, gateway, t => ScenarioCatalog.Reused(t, LoadFor(t), reusedAuth, openSettings, name), cancellationToken);
                var (b, g, stolen) = Quiet(allBase, allGate);
                var bp99 = b.Select(r => r.Global.Ok.P99).ToList();
                var gp99 = g.Select(r => r.Global.Ok.P99).ToList();
                var delta = PairedRounds.MedianDifference(bp99, gp99);
                var target = fraction == 0.5 ? "≤ bare p99 + 1 ms" : "info";
                var rounds = PairedRounds.Summary(bp99, gp99, "0.00") is { Length: > 0 } pairs ? pairs + PairedRounds.DifferenceInterval(bp99, gp99, "0.00", " ms") + "; " : "";
                _report.Comparison.Add(new ComparisonRow(
                    $"open model {fraction * 100:0}% of bare max ({rate:N0}/s): p99 ms{stolen} ({rounds}late starts b/g: {b.Sum(r => r.LateStarts):N0}/{g.Sum(r => r.LateStarts):N0}; fail b/g: {b.Sum(r => r.Global.Fail.Count):N0}/{g.Sum(r => r.Global.Fail.Count):N0})",
                    ReportTables.Ms(Median.Of(bp99)), ReportTables.Ms(Median.Of(gp99)), string.Create(CultureInfo.InvariantCulture, $"{delta:+0.00;-0.00} ms"), target,
                    fraction == 0.5 ? Verdict(g.Count > 0 && delta <= 1.0 && g.Sum(r => r.Global.Fail.Count) == 0) : "info"));
            }
        }

        // 3. Unique tokens: every request a signature check. Pre-minted before the measured phase.
        if (Runs(ScenarioCatalog.UniqueTokens))
        {
            var secondsPerRun = (_warmup + _duration).TotalSeconds;
            // Enough for the gateway to run every round at bare YARP's reused-token rate (its never-seen rate is below
            // that), up to --unique-pool; a round that runs it dry is named below.
            var poolSize = (int)Math.Clamp(bareMax * secondsPerRun * _rounds, 20_000, _line.GetInt("unique-pool", 1_500_000));
            var mintStart = Stopwatch.GetTimestamp();
            // A new token per request for a bounded set of users and sessions (as refreshes make them): each costs a
            // signature check, while the users' session state stays warm.
            var uniqueUsers = _line.GetInt("unique-users", 1000);
            var uniqueTokens = minter.MintMany(poolSize, i => new TokenClaims($"u-{runId}-{i % uniqueUsers}", $"us-{i % uniqueUsers}", $"uj-{i}", now - 1, now + 7200), "Bearer ");
            var mintSeconds = Stopwatch.GetElapsedTime(mintStart).TotalSeconds;
            _report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"unique-tokens: {poolSize:N0} tokens pre-minted in {mintSeconds:0.0} s ({poolSize / mintSeconds:N0}/s) before the measured phase"));
            var gatewayPool = new TokenPool(uniqueTokens);
            var baselinePool = new TokenPool(uniqueTokens);
            var (b, g) = await AlternateAsync(baseline, gateway, t => ScenarioCatalog.Unique(t, LoadFor(t), t.ChecksTokens ? gatewayPool : baselinePool, closed), cancellationToken);

            // A round that ran the pool dry sent tokens the gateway had verified before (cache hits): not a never-seen
            // round, so its pair is left out of the verdict rather than flattering it.
            var dry = Enumerable.Range(0, g.Count).Where(i => g[i].Metrics.GetValueOrDefault(ScenarioCatalog.SentAgainMetric) != 0).ToList();
            var (cleanBase, cleanGate, leftOut) = Quiet(b, g, dry, "the pool ran dry, raise --unique-pool");
            AddRatio($"unique-tokens, closed {_copies} copies: RPS{leftOut}", cleanBase, cleanGate, r => r.Global.Ok.Rps, 0.50, "N0");
            AddCpuRow("unique-tokens", b, g);
        }

        // 3b. Peers: HAProxy jwt_verify and YARP + JwtBearer + Redis beside bare YARP and the gateway, same job.
        if (Runs(PeerComparison.Check))
        {
            var peers = new PeerComparison(deployment, minter, runId, _copies, _warmup, _duration, _line.GetInt("peer-rounds", _quick ? 1 : 3),
                _line.GetInt("peer-denylist", 10_000), _line.GetInt("peer-pool", 1_500_000), _out, RunAsync);
            _report.Sections.Add(await peers.RunAsync(baseline, gateway, cancellationToken));
        }

        // 4. Invalid flood: refusals/s against bare forwarded/s; memory must stay flat.
        if (Runs(ScenarioCatalog.InvalidFlood))
        {
            var bad = ScenarioCatalog.BadAuthorizations(deployment.Key, GatewayInstance.Issuer, GatewayInstance.Audience, 5000);
            var rssBefore = ProcessSampler.RssMb(deployment.Gateway.Process.Pid) ?? 0;
            var (b, g) = await AlternateAsync(baseline, gateway, t => ScenarioCatalog.Invalid(t, ClientFor(t), bad, closed), cancellationToken);
            var rssAfter = ProcessSampler.RssMb(deployment.Gateway.Process.Pid) ?? 0;
            AddRatio("invalid-flood: gateway refusals/s vs bare forwarded/s", b, g, r => r.Global.Ok.Rps, 1.0, "N0");
            var growth = rssAfter - rssBefore;
            _report.Comparison.Add(new ComparisonRow("invalid-flood: gateway RSS before → after (MB)", "", $"{rssBefore:0} → {rssAfter:0}",
                string.Create(CultureInfo.InvariantCulture, $"{growth:+0;-0} MB"), "flat (≤ +32 MB)", Verdict(growth <= 32)));
            AddCpuRow("invalid-flood", b, g);
        }

        // 5. Revocation storm (gateway only): nothing revoked gets through after its admin call returned.
        if (Runs(ScenarioCatalog.RevocationStorm))
        {
            var stormSettings = new ScenarioSettings([new KeepConstant(_copies, _duration)], _warmup);
            var storm = ScenarioCatalog.Storm(gateway, gatewayClient, minter, _line.GetInt("storm-users", 2000), _line.GetInt("storm-rate", 50), stormSettings, runId);
            var results = await RunAsync([storm.Load, storm.Revoker], cancellationToken);
            var load = results[0];
            var violations = load.Metrics.GetValueOrDefault("violations (revoked token let through)");
            var revokedRequests = load.Steps.FirstOrDefault(s => s.Name == "revoked token")?.Requests ?? 0;
            var published = results[1].Metrics.GetValueOrDefault("revocations published (warm-up included)");
            var adminFailures = results[1].Global.Fail.Count;
            _report.Comparison.Add(new ComparisonRow(
                $"revocation-storm: revoked requests let through ({published:N0} revocations published, {adminFailures:N0} admin calls failed, {revokedRequests:N0} requests with revoked tokens)",
                "", violations.ToString("N0", CultureInfo.InvariantCulture), "", "0", Verdict(violations == 0 && published > 0 && revokedRequests > 0)));
            if (published == 0)
            {
                _report.Notes.Add($"revocation-storm: no revocation succeeded (admin status codes: {ReportTables.StatusLine(results[1].Global)}); is the admin API on this build?");
            }
        }

        // 6. Revocation lag: a second instance on the same Redis.
        if (Runs(ScenarioCatalog.RevocationLag))
        {
            var second = await deployment.StartAnotherGatewayAsync("gateway-2", cancellationToken);
            try
            {
                var secondTarget = new LoadTarget("gateway-2", second.Url, true, second.Process.Pid);
                var lagSettings = new ScenarioSettings([new KeepConstant(1, _duration)], _warmup);
                // Instance 2 also serves background traffic (open model, a quarter of bare YARP's maximum) while it is polled.
                var backgroundRate = Math.Max(1, (int)(bareMax * _line.GetInt("lag-background", 25) / 100.0));
                using var secondLoad = LoadClient.ForScenarios(second.Url, _copies);
                var background = ScenarioCatalog.Reused(secondTarget with { Name = "gateway-2 background" }, secondLoad, reusedAuth,
                    new ScenarioSettings([new Inject(backgroundRate, TimeSpan.FromSeconds(1), _duration)], _warmup), ScenarioCatalog.ReusedTokens + " background");
                var lag = (await RunAsync([ScenarioCatalog.Lag(gateway, secondTarget, gatewayClient, minter, lagSettings, runId, TimeSpan.FromSeconds(5)), background], cancellationToken))[0];
                var step = lag.Steps.FirstOrDefault(s => s.Name == "until instance 2 refuses");
                var samples = step?.Ok.Count ?? 0;
                var never = lag.Metrics.GetValueOrDefault("never refused within the timeout");
                _report.Comparison.Add(new ComparisonRow(
                    $"revocation-lag, instance 1 admin → instance 2 refuses: p50 / p99 / max ms ({samples:N0} samples, {never:N0} never refused in 5 s; instance 2 under {backgroundRate:N0}/s background load)",
                    "", step is null ? "n/a" : $"{ReportTables.Ms(step.Ok.P50)} / {ReportTables.Ms(step.Ok.P99)} / {ReportTables.Ms(step.Ok.MaxMs)}", "", "p99 ≤ 50 ms",
                    Verdict(step is not null && samples > 0 && never == 0 && step.Ok.P99 <= 50)));
            }
            finally
            {
                deployment.StopGateway(second);
            }
        }

        // 7. Memory (issue 12): many denylisted jtis held by the gateway's replica, then many distinct valid tokens (and users).
        if (Runs(ScenarioCatalog.Memory))
        {
            await MemoryAsync(deployment, gateway, gatewayClient, adminHttp, minter, runId, cancellationToken);
        }

        var generatorCpu = _report.Results.Where(r => r.Target.StartsWith("gateway", StringComparison.Ordinal) && r.Scenario == ScenarioCatalog.ReusedTokens)
            .Select(r => r.Metrics.GetValueOrDefault("cpu generator (% of a core)")).DefaultIfEmpty(0).Average();
        _report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"the load generator itself used {generatorCpu:0}% of a core during reused-tokens against the gateway (all processes share {_report.Machine.Cores} cores; load average at start {_report.Machine.LoadAverage})"));
        if (StealNote(_report.Results) is { } stealNote)
        {
            _report.Notes.Add(stealNote);
        }

        _report.Elapsed = Stopwatch.GetElapsedTime(started);
        _report.Thresholds.AddRange(ThresholdCheck.Evaluate(thresholds, _report.Results));
        var folder = RepoPaths.NewReportFolder(_line.Get("reports"));
        await ReportFiles.WriteAsync(_report, folder);
        await _out.WriteAsync(ConsoleReport.Summary(_report));
        await _out.WriteLineAsync($"reports: {folder}");
        return _report.ThresholdsPassed ? 0 : 3;
    }

    /// <summary>
    /// The pairs (0-based) in which either round lost more than <paramref name="limitPercent"/> of the machine's CPU to
    /// the host (steal). Such a pair measures the neighbours as much as the proxies: the verdicts leave it out and say so,
    /// as they do a never-seen round that ran its pool dry.
    /// </summary>
    internal static List<int> StolenPairs(IReadOnlyList<ScenarioResult> baseline, IReadOnlyList<ScenarioResult> gateway, double limitPercent)
    {
        static double Steal(ScenarioResult r) => r.Metrics.GetValueOrDefault(ScenarioRunner.HostStealMetric);
        return [.. Enumerable.Range(0, Math.Min(baseline.Count, gateway.Count)).Where(i => Steal(baseline[i]) > limitPercent || Steal(gateway[i]) > limitPercent)];
    }

    // The pairs a verdict counts, and the label naming those it leaves out: pairs the host disturbed, after any the
    // caller leaves out for a reason of its own (a never-seen pool that ran dry).
    private (List<ScenarioResult> Baseline, List<ScenarioResult> Gateway, string LeftOut) Quiet(List<ScenarioResult> baseline, List<ScenarioResult> gateway,
        IReadOnlyList<int>? alsoLeftOut = null, string? alsoReason = null)
    {
        var stolen = StolenPairs(baseline, gateway, _stealLimit);
        var also = alsoLeftOut ?? [];
        if (stolen.Count == 0 && also.Count == 0)
        {
            return (baseline, gateway, "");
        }

        var kept = Enumerable.Range(0, Math.Min(baseline.Count, gateway.Count)).Except(also).Except(stolen).ToList();
        var label = (also.Count > 0 ? LeftOutLabel(also, alsoReason ?? "") : "") +
                    (stolen.Count > 0 ? LeftOutLabel(stolen, $"host steal over {_stealLimit}% in a round, --steal-limit") : "");
        return ([.. kept.Select(i => baseline[i])], [.. kept.Select(i => gateway[i])], label);
    }

    private static string LeftOutLabel(IEnumerable<int> pairs, string reason) =>
        $" (pairs {string.Join(", ", pairs.Select(i => (i + 1).ToString(CultureInfo.InvariantCulture)))} left out: {reason})";

    /// <summary>
    /// How much CPU the host took from this machine during the measured rounds: the median round and the worst one. A
    /// verdict from rounds with steal measures the neighbours as much as the proxies.
    /// </summary>
    internal static string? StealNote(IReadOnlyList<ScenarioResult> results)
    {
        var rounds = results.Where(r => r.Metrics.ContainsKey(ScenarioRunner.HostStealMetric)).ToList();
        if (rounds.Count == 0)
        {
            return null;
        }

        var worst = rounds.MaxBy(r => r.Metrics[ScenarioRunner.HostStealMetric])!;
        var median = Median.Of(rounds.Select(r => r.Metrics[ScenarioRunner.HostStealMetric]));
        return string.Create(CultureInfo.InvariantCulture,
            $"the host took {median:0.0}% of this machine's CPU (steal) in the median measured round, {worst.Metrics[ScenarioRunner.HostStealMetric]:0.0}% in the worst ({worst.Key}); " +
            $"each round's share is in its metrics");
    }

    /// <summary>Whether a check runs; a calibration runs only the checks that need no gateway (reused tokens and the open model).</summary>
    private bool Runs(string check) => (_only.Count == 0 || _only.Contains(check)) && !_skip.Contains(check) &&
                                       (!_calibrate || check is ScenarioCatalog.ReusedTokens or "open");

    private async Task MemoryAsync(LocalDeployment deployment, LoadTarget gateway, HttpClient gatewayClient, HttpClient adminHttp, TokenMinter minter, string runId,
        CancellationToken cancellationToken)
    {
        var count = _line.GetLong("memory-tokens", _quick ? 50_000 : 1_000_000);
        var denied = _line.GetLong("memory-denylist", count);
        var pid = deployment.Gateway.Process.Pid;
        var gauge = new ReplicaGauge(adminHttp, deployment.Gateway.AdminUrl);
        var replicaBefore = (await gauge.ReadAsync(cancellationToken)).Entries;
        var rssStart = ProcessSampler.RssMb(pid) ?? 0;
        var exp = TokenMinter.Now + 3600;

        // The denylist first: its replica then holds them all while every live token goes through.
        var seedPeak = rssStart;
        if (denied > 0)
        {
            seedPeak = await new DenylistSeed(deployment.Redis.Configuration, gauge, pid).RunAsync(GatewayInstance.Issuer, runId, denied, exp, _out, cancellationToken);
        }

        var rssDenied = ProcessSampler.RssMb(pid) ?? 0;
        var memory = (await RunAsync([ScenarioCatalog.DistinctTokens(gateway, gatewayClient, minter, count, _copies, runId, "/api/items")], cancellationToken))[0];
        var rssEnd = ProcessSampler.RssMb(pid) ?? 0;
        var replica = await gauge.ReadAsync(cancellationToken);
        var peak = Math.Max(seedPeak, memory.Metrics.GetValueOrDefault("rss gateway peak (MB)", rssEnd));

        // The replica must really hold them when RSS is sampled, and a denylisted token must still be refused.
        var held = replica.Entries - replicaBefore >= denied && replica.Complete;
        var deniedStatus = 401;
        if (denied > 0)
        {
            var token = minter.Mint(new TokenClaims(DenylistSeed.Subject(runId, 1), "ms-1", DenylistSeed.DeniedTokenId(1), exp - 3600, exp));
            deniedStatus = (await LoadClient.GetAsync(gatewayClient, new Uri(gateway.Url, "/api/items"), "Bearer " + token, cancellationToken)).StatusCode;
        }

        // Where the memory goes: a heap dump after the RSS samples (it forces a collection, so never before them).
        if (_line.Get("memory-gcdump") is { } dump)
        {
            await GcDumpAsync(pid, dump, cancellationToken);
        }

        memory.Metrics["rss gateway after denylist (MB)"] = rssDenied;
        memory.Metrics["denylist replica entries"] = replica.Entries;
        _report.Comparison.Add(new ComparisonRow(
            $"memory: gateway RSS after {count:N0} distinct tokens and users + {denied:N0} denylisted jtis (start {rssStart:0} MB, after the denylist {rssDenied:0} MB, " +
            $"peak {peak:0} MB; replica {replica.Entries:N0} entries, {(replica.Complete ? "complete" : "INCOMPLETE")}; a denylisted token got {deniedStatus}; " +
            $"{memory.Global.Ok.Rps:N0} tokens/s, fail {memory.Global.Fail.Count:N0})",
            "", $"{rssEnd:0} MB", "", "< 400 MB" + (count < 1_000_000 ? $" (for 1,000,000 + 1,000,000; this run {count:N0})" : ""),
            Verdict(rssEnd < 400 && peak < 400 && memory.Global.Fail.Count == 0 && held && deniedStatus == 401)));
    }

    private async Task GcDumpAsync(int pid, string path, CancellationToken cancellationToken)
    {
        try
        {
            // A .NET global tool lives in ~/.dotnet/tools, which is not always on the PATH.
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
            using var process = Process.Start(new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump", ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", path])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            await process.WaitForExitAsync(cancellationToken);
            await _out.WriteLineAsync($"memory: gateway heap dump {path} (exit {process.ExitCode}); read it with: dotnet-gcdump report {path}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            await _out.WriteLineAsync($"memory: no heap dump ({ex.Message}; dotnet tool install -g dotnet-gcdump)");
        }
    }

    private async Task SanityCheckAsync(LocalDeployment deployment, HttpClient gatewayClient, HttpClient baselineClient, TokenMinter minter, CancellationToken cancellationToken)
    {
        var now = TokenMinter.Now;
        var token = "Bearer " + minter.Mint(new TokenClaims("sanity", "sanity-s", "sanity-j", now - 1, now + 600));
        var uri = new Uri(deployment.Gateway.Url, "/api/sanity");
        var refused = await LoadClient.GetAsync(gatewayClient, uri, null, cancellationToken);
        var allowed = await LoadClient.GetAsync(gatewayClient, uri, token, cancellationToken);
        var bare = await LoadClient.GetAsync(baselineClient, new Uri(deployment.BaselineUrl!, "/api/sanity"), null, cancellationToken);
        if (refused.StatusCode != 401 || !allowed.IsOk || !bare.IsOk)
        {
            throw new InvalidOperationException(
                $"sanity check failed: gateway without token {refused.StatusCode} (want 401), with token {allowed.StatusCode} (want 2xx), baseline {bare.StatusCode} (want 2xx)" +
                Environment.NewLine + deployment.Gateway.Process.Tail);
        }
    }

    /// <summary>Runs the same scenario on baseline and gateway, alternating the order each round (ABBA).</summary>
    private async Task<(List<ScenarioResult> Baseline, List<ScenarioResult> Gateway)> AlternateAsync(LoadTarget baseline, LoadTarget gateway,
        Func<LoadTarget, Scenario> build, CancellationToken cancellationToken)
    {
        var b = new List<ScenarioResult>();
        var g = new List<ScenarioResult>();
        for (var round = 0; round < _rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { baseline, gateway } : [gateway, baseline];
            foreach (var target in order)
            {
                var labelled = _rounds > 1 ? target with { Name = $"{target.Name} r{round + 1}" } : target;
                var result = (await RunAsync([build(labelled)], cancellationToken))[0];
                (target.Url == baseline.Url ? b : g).Add(result);
            }
        }

        return (b, g);
    }

    private async Task<IReadOnlyList<ScenarioResult>> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        await _out.WriteLineAsync();
        await _out.WriteLineAsync($"▶ {string.Join(" + ", scenarios.Select(s => s.Key))}: {string.Join(" → ", scenarios[0].Simulations.Select(s => s.Describe()))}");
        var results = await ScenarioRunner.RunAsync(scenarios, _settings, cancellationToken);
        foreach (var result in results)
        {
            _report.Results.Add(result);
            await _out.WriteAsync(ConsoleReport.Scenario(result));
        }

        return results;
    }

    private void AddRatio(string check, List<ScenarioResult> baseline, List<ScenarioResult> gateway, Func<ScenarioResult, double> value, double target, string format)
    {
        var bs = baseline.Select(value).ToList();
        var gs = gateway.Select(value).ToList();
        var ratio = PairedRounds.MedianRatio(bs, gs);
        var failures = gateway.Sum(r => r.Global.Fail.Count);
        var rounds = PairedRounds.Summary(bs, gs, format) is { Length: > 0 } pairs ? $" ({pairs}{PairedRounds.RatioInterval(bs, gs)})" : "";
        _report.Comparison.Add(new ComparisonRow(
            (failures > 0 ? $"{check} ({failures:N0} gateway failures)" : check) + rounds,
            Median.Of(bs).ToString(format, CultureInfo.InvariantCulture), Median.Of(gs).ToString(format, CultureInfo.InvariantCulture),
            ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×", $"≥ {target:0.00}×", Verdict(ratio >= target && failures == 0)));
    }

    /// <summary>
    /// The proxies' CPU per request. With <paramref name="withinMicros"/> it is a verdict on the median over pairs of
    /// gateway − baseline (the issue's "within 5 µs of bare YARP's"); otherwise it is for information.
    /// </summary>
    private void AddCpuRow(string scenario, List<ScenarioResult> baseline, List<ScenarioResult> gateway, double? withinMicros = null, string leftOut = "")
    {
        var bs = baseline.Select(r => r.Metrics.GetValueOrDefault(CpuKey(r, "µs per iteration"))).ToList();
        var gs = gateway.Select(r => r.Metrics.GetValueOrDefault(CpuKey(r, "µs per iteration"))).ToList();
        var b = Median.Of(bs);
        var g = Median.Of(gs);
        var gen = Mean(gateway, r => r.Metrics.GetValueOrDefault("cpu generator (% of a core)"));
        var redis = Mean(gateway, r => r.Metrics.GetValueOrDefault("redis commands per iteration"));
        var interval = withinMicros is null ? "" : PairedRounds.DifferenceInterval(bs, gs, "0.0", " µs");
        var rounds = bs.Count > 1 ? $"median of {bs.Count} rounds, b/g: {PairedRounds.Describe(bs, gs, "0.0")}{interval}; " : "";
        var check = string.Create(CultureInfo.InvariantCulture, $"{scenario}: proxy CPU per request, µs{leftOut} ({rounds}generator {gen:0}% of a core; gateway Redis commands per request {redis:0.###})");
        if (withinMicros is { } within)
        {
            var difference = PairedRounds.MedianDifference(bs, gs);
            _report.Comparison.Add(new ComparisonRow(check, b.ToString("0.0", CultureInfo.InvariantCulture), g.ToString("0.0", CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{difference:+0.0;-0.0;0.0} µs"), string.Create(CultureInfo.InvariantCulture, $"≤ +{within:0} µs"),
                Verdict(bs.Count > 0 && difference <= within)));
            return;
        }

        _report.Comparison.Add(new ComparisonRow(check, b.ToString("0", CultureInfo.InvariantCulture), g.ToString("0", CultureInfo.InvariantCulture),
            Times(g, b), "info", "info"));
    }

    /// <summary>The proxies' bytes allocated per request, for information (no target); absent when they were not measured.</summary>
    private void AddAllocationRow(string scenario, List<ScenarioResult> baseline, List<ScenarioResult> gateway)
    {
        static List<double> Bytes(List<ScenarioResult> results) =>
            results.Select(r => r.Metrics.TryGetValue(ScenarioRunner.AllocationsKey(r.Target), out var bytes) ? bytes : double.NaN).ToList();
        var bs = Bytes(baseline);
        var gs = Bytes(gateway);
        if (bs.Count == 0 || bs.Any(double.IsNaN) || gs.Any(double.IsNaN))
        {
            return;
        }

        var b = Median.Of(bs);
        var g = Median.Of(gs);
        var check = string.Create(CultureInfo.InvariantCulture,
            $"{scenario}: bytes allocated per request (median of {bs.Count} rounds, b/g: {PairedRounds.Describe(bs, gs, "0")}; the runtime's allocation ticks over EventPipe)");
        _report.Comparison.Add(new ComparisonRow(check, b.ToString("N0", CultureInfo.InvariantCulture), g.ToString("N0", CultureInfo.InvariantCulture),
            Times(g, b), "info", "info"));
    }

    private static string CpuKey(ScenarioResult result, string unit) => $"cpu {result.Target} ({unit})";

    /// <summary>An informational ratio, e.g. "0.92×"; empty when there is nothing to divide by.</summary>
    private static string Times(double value, double of) => of > 0 ? (value / of).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "";

    private static double Mean(List<ScenarioResult> results, Func<ScenarioResult, double> value) => results.Count == 0 ? 0 : results.Average(value);

    private static string Verdict(bool pass) => pass ? "pass" : "MISS";

    private static HashSet<string> Set(IReadOnlyList<string> values) =>
        new(values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), StringComparer.OrdinalIgnoreCase);
}
