using System.Diagnostics;
using System.Globalization;
using LoadTests.Engine;
using LoadTests.Hosting;
using LoadTests.Http;
using LoadTests.Reports;
using LoadTests.Scenarios;
using LoadTests.Tokens;
using StackExchange.Redis;

namespace LoadTests.Commands;

/// <summary>
/// The <c>peers</c> check of <c>compare</c>: bare YARP, the gateway, HAProxy's native <c>jwt_verify</c> and a stock
/// YARP + ASP.NET Core JwtBearer app, configured for the same job (one ES256 key, issuer, audience, expiry with 30 s
/// skew, a jti denylist), each run with reused tokens and with never-seen tokens, N rounds in rotated order. The table
/// gives medians of requests/s, p99, CPU per request, and the median per-round ratio to bare YARP. A peer that is not
/// installed, does not start or fails the sanity check is skipped with its reason in the table.
/// </summary>
internal sealed class PeerComparison
{
    public const string Check = "peers";
    public const string ReusedScenario = "peers reused-tokens";
    public const string NeverSeenScenario = "peers never-seen-tokens";

    private readonly LocalDeployment _deployment;
    private readonly TokenMinter _minter;
    private readonly string _runId;
    private readonly int _copies;
    private readonly TimeSpan _warmup;
    private readonly TimeSpan _duration;
    private readonly int _rounds;
    private readonly int _denylistSize;
    private readonly int _poolLimit;
    private readonly TextWriter _out;
    private readonly Func<IReadOnlyList<Scenario>, CancellationToken, Task<IReadOnlyList<ScenarioResult>>> _run;
    private readonly ReportSection _section;
    private readonly List<IDisposable> _clients = [];

    public PeerComparison(LocalDeployment deployment, TokenMinter minter, string runId, int copies, TimeSpan warmup, TimeSpan duration, int rounds,
        int denylistSize, int poolLimit, TextWriter output, Func<IReadOnlyList<Scenario>, CancellationToken, Task<IReadOnlyList<ScenarioResult>>> run)
    {
        _deployment = deployment;
        _minter = minter;
        _runId = runId;
        _copies = copies;
        _warmup = warmup;
        _duration = duration;
        _rounds = Math.Max(1, rounds);
        _denylistSize = Math.Max(1, denylistSize);
        _poolLimit = poolLimit;
        _out = output;
        _run = run;
        _section = new ReportSection(
            $"Peers: the same job on four proxies, {copies} copies closed model, median of {_rounds} round(s)", "peers.csv",
            ["scenario", "system", "requests/s", "× bare YARP", "p99 ms", "CPU µs/request", "CPU × bare", "Redis cmds/request", "failed", "notes"]);
    }

    /// <summary>
    /// How many never-seen tokens to pre-mint: enough for the fastest verifying system (its reused-token rate bounds its
    /// never-seen rate) over every warm-up and measured phase of every round, with a 10 % margin.
    /// </summary>
    public static int NeverSeenPoolSize(double fastestVerifyingRps, TimeSpan perRun, int rounds, int limit) =>
        (int)Math.Clamp(fastestVerifyingRps * perRun.TotalSeconds * rounds * 1.1, 20_000, Math.Max(20_000, limit));

    /// <summary>Round <paramref name="round"/>'s order: the systems rotated by the round, so none is always first or last.</summary>
    public static IReadOnlyList<T> Rotated<T>(IReadOnlyList<T> items, int round) =>
        [.. Enumerable.Range(0, items.Count).Select(i => items[(i + round) % items.Count])];

    public async Task<ReportSection> RunAsync(LoadTarget baseline, LoadTarget gateway, CancellationToken cancellationToken)
    {
        var systems = new List<PeerSystem>
        {
            new("bare YARP", baseline, Client(), Load(baseline.Url), Verifies: false),
            new("gateway", gateway, Client(), Load(gateway.Url), Verifies: true),
        };
        var started = new List<ChildProcess>();
        var now = TokenMinter.Now;
        var denied = Enumerable.Range(0, _denylistSize).Select(i => $"denied-{_runId}-{i}").ToArray();
        try
        {
            await SeedRedisDenylistAsync(denied);
            await StartHaproxyAsync(systems, started, denied, cancellationToken);
            await StartJwtBearerAsync(systems, started, cancellationToken);
            foreach (var system in systems.Where(s => s.Verifies).ToList())
            {
                var problem = await SanityAsync(system, denied[0], cancellationToken);
                if (problem is null)
                {
                    continue;
                }

                if (system.Label == "gateway")
                {
                    _section.Notes.Add("gateway sanity check: " + problem);
                    continue;
                }

                Skip(system.Label, "failed the sanity check: " + problem);
                systems.Remove(system);
            }

            var settings = new ScenarioSettings([new KeepConstant(_copies, _duration)], _warmup);

            // Reused tokens: one token on every request (each proxy's best case).
            var reusedAuth = new[] { "Bearer " + _minter.Mint(new TokenClaims($"peer-{_runId}", $"ps-{_runId}", $"pj-{_runId}", now - 1, now + 7200)) };
            var reused = await RoundsAsync(systems, s => ScenarioCatalog.Reused(s.Target, s.Load, reusedAuth, settings, ReusedScenario), cancellationToken);
            AddRows("reused tokens", systems, reused);

            // Never-seen tokens: pre-minted now, sized from the reused rates; each system walks the pool from its start.
            var fastest = systems.Where(s => s.Verifies).Select(s => Median.Of(reused[s.Label].Select(r => r.Global.Ok.Rps))).DefaultIfEmpty(1000).Max();
            var poolSize = NeverSeenPoolSize(fastest, _warmup + _duration, _rounds, _poolLimit);
            var mintStart = Stopwatch.GetTimestamp();
            // 1,000 users with one session each (a refresh-like mix): the gateway's session state stays warm, so its
            // per-request Redis work is the jti lookup, as the JwtBearer peer's.
            var pool = _minter.MintMany(poolSize, i => new TokenClaims($"pn-{_runId}-{i % 1000}", $"pns-{i % 1000}", $"pnj-{_runId}-{i}", now - 1, now + 7200), "Bearer ");
            var mintSeconds = Stopwatch.GetElapsedTime(mintStart).TotalSeconds;
            foreach (var system in systems)
            {
                system.NeverSeen = new TokenPool(pool);
            }

            var neverSeen = await RoundsAsync(systems, s => ScenarioCatalog.Unique(s.Target, s.Load, s.NeverSeen!, settings, NeverSeenScenario), cancellationToken);
            AddRows("never-seen tokens", systems, neverSeen);
            _section.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"never-seen tokens: {poolSize:N0} distinct tokens (distinct jti, 1,000 users) pre-minted in {mintSeconds:0.0} s before the runs; each system gets every token at most once " +
                $"(tokens sent a second time: {string.Join(", ", systems.Where(s => s.Verifies).Select(s => $"{s.Label} {s.NeverSeen!.Reused:N0}"))}; raise --peer-pool if not 0)"));
        }
        finally
        {
            foreach (var process in started)
            {
                ChildProcesses.Stop(process);
            }

            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        _section.Notes.Add($"median of {_rounds} round(s); each round runs every system once per scenario, in rotated order; the ratios are the median of each round's ratio to bare YARP in that round. " +
                           "CPU per request: the proxy process's CPU time (from /proc) over the measured phase / its requests.");
        _section.Notes.Add("the same job: ES256 only, issuer, audience, exp with 30 s skew, jti denylist. Where the denylist lives differs: the gateway and the JwtBearer peer ask Redis " +
                           "(the gateway only for a jti it has not looked up yet), HAProxy looks in an in-process map file (no network; revocable live through its runtime API, one instance at a time).");
        return _section;
    }

    private HttpClient Client() => Own(LoadClient.Create(_copies));

    private ILoadClient Load(Uri origin) => Own(LoadClient.ForScenarios(origin, _copies));

    // Every client the check makes is disposed when it ends.
    private T Own<T>(T client)
        where T : IDisposable
    {
        _clients.Add(client);
        return client;
    }

    private void Skip(string label, string reason)
    {
        _section.Rows.Add(["—", label, "", "", "", "", "", "", "", "skipped: " + reason]);
        _section.Notes.Add($"{label} skipped: {reason}");
    }

    private async Task SeedRedisDenylistAsync(string[] denied)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_deployment.Redis.Configuration);
        var db = redis.GetDatabase();
        foreach (var chunk in denied.Chunk(1000))
        {
            await db.StringSetAsync([.. chunk.Select(j => new KeyValuePair<RedisKey, RedisValue>(JwtBearerPeerHost.DenyPrefix + j, 1))]);
        }
    }

    private async Task StartHaproxyAsync(List<PeerSystem> systems, List<ChildProcess> started, string[] denied, CancellationToken cancellationToken)
    {
        if (await HaproxyPeer.UnavailableAsync(cancellationToken) is { } reason)
        {
            Skip("HAProxy jwt_verify", reason);
            return;
        }

        try
        {
            var peer = await HaproxyPeer.StartAsync(_deployment.WorkDirectory, _deployment.BackendUrl, _deployment.Key.PublicKeyPem(), denied,
                GatewayInstance.Issuer, GatewayInstance.Audience, cancellationToken);
            started.Add(peer.Process);
            systems.Add(new PeerSystem("HAProxy jwt_verify", new LoadTarget("haproxy", peer.Url, ChecksTokens: true, peer.Process.Pid), Client(), Load(peer.Url), Verifies: true));
            await _out.WriteLineAsync($"peer started: HAProxy {peer.Url} (pid {peer.Process.Pid})");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            Skip("HAProxy jwt_verify", "did not start: " + ex.Message);
        }
    }

    private async Task StartJwtBearerAsync(List<PeerSystem> systems, List<ChildProcess> started, CancellationToken cancellationToken)
    {
        try
        {
            var peer = await JwtBearerPeerHost.StartAsync(_deployment.WorkDirectory, _deployment.BackendUrl, _deployment.Key.PublicJwks(), _deployment.Redis.Configuration,
                GatewayInstance.Issuer, GatewayInstance.Audience, _out, cancellationToken);
            started.Add(peer.Process);
            var target = new LoadTarget("jwtbearer", peer.Url, ChecksTokens: true, peer.Process.Pid)
            {
                Counters = [new ExternalCounter("redis commands", _deployment.Redis.CommandsProcessedAsync)],
            };
            systems.Add(new PeerSystem("YARP + JwtBearer + Redis", target, Client(), Load(peer.Url), Verifies: true));
            await _out.WriteLineAsync($"peer started: YARP + JwtBearer {peer.Url} (pid {peer.Process.Pid})");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            Skip("YARP + JwtBearer + Redis", "did not start: " + ex.Message);
        }
    }

    /// <summary>The same answers from every verifying system before measuring; null when all is as expected.</summary>
    private async Task<string?> SanityAsync(PeerSystem system, string deniedJti, CancellationToken cancellationToken)
    {
        var now = TokenMinter.Now;
        TokenClaims Claims(string jti, long exp = 0) => new($"sanity-{_runId}", "sanity-s", jti, now - 1, exp == 0 ? now + 600 : exp);
        using var wrongKey = new TokenMinter(SigningKey.Generate(_deployment.Key.Kid), GatewayInstance.Issuer, GatewayInstance.Audience);
        using var wrongAudience = new TokenMinter(_deployment.Key, GatewayInstance.Issuer, "other-api");
        using var wrongIssuer = new TokenMinter(_deployment.Key, "https://other.example", GatewayInstance.Audience);
        var denylisted = Claims(deniedJti);
        if (system.Target.Admin is { } admin)
        {
            // The gateway's denylist is its own Redis keys, written through its admin API.
            var status = await admin.RevokeAsync(RevocationKind.Token, denylisted.Sub, denylisted.Sid!, denylisted.Jti, denylisted.Expires, cancellationToken);
            if (status is < 200 or >= 300)
            {
                return $"admin revoke/token answered {status}";
            }
        }

        (string Case, string? Authorization, bool Allowed)[] cases =
        [
            ("no token", null, false),
            ("valid token", "Bearer " + _minter.Mint(Claims($"sanity-ok-{_runId}")), true),
            ("denylisted jti", "Bearer " + _minter.Mint(denylisted), false),
            ("expired an hour ago", "Bearer " + _minter.Mint(Claims($"sanity-exp-{_runId}", now - 3600)), false),
            ("signed by another key", "Bearer " + wrongKey.Mint(Claims($"sanity-key-{_runId}")), false),
            ("other audience", "Bearer " + wrongAudience.Mint(Claims($"sanity-aud-{_runId}")), false),
            ("other issuer", "Bearer " + wrongIssuer.Mint(Claims($"sanity-iss-{_runId}")), false),
        ];
        var uri = new Uri(system.Target.Url, "/api/sanity");
        var wrong = new List<string>();
        foreach (var (name, authorization, allowed) in cases)
        {
            var response = await LoadClient.GetAsync(system.Client, uri, authorization, cancellationToken);
            if (allowed ? !response.IsOk : response.StatusCode != 401)
            {
                wrong.Add($"{name}: {response.StatusCode} (want {(allowed ? "2xx" : "401")})");
            }
        }

        return wrong.Count == 0 ? null : string.Join("; ", wrong);
    }

    private async Task<Dictionary<string, List<ScenarioResult>>> RoundsAsync(List<PeerSystem> systems, Func<PeerSystem, Scenario> build, CancellationToken cancellationToken)
    {
        var results = systems.ToDictionary(s => s.Label, _ => new List<ScenarioResult>(), StringComparer.Ordinal);
        for (var round = 0; round < _rounds; round++)
        {
            foreach (var system in Rotated(systems, round))
            {
                var labelled = system with { Target = system.Target with { Name = $"{system.Target.Name} r{round + 1}" } };
                results[system.Label].Add((await _run([build(labelled)], cancellationToken))[0]);
            }
        }

        return results;
    }

    private void AddRows(string scenario, List<PeerSystem> systems, Dictionary<string, List<ScenarioResult>> results)
    {
        var bare = results[systems[0].Label];
        static double Cpu(ScenarioResult r) => r.Metrics.GetValueOrDefault($"cpu {r.Target} (µs per iteration)");
        foreach (var system in systems)
        {
            var runs = results[system.Label];
            var rpsRatios = runs.Select((r, i) => bare[i].Global.Ok.Rps > 0 ? r.Global.Ok.Rps / bare[i].Global.Ok.Rps : 0);
            var cpuRatios = runs.Select((r, i) => Cpu(bare[i]) > 0 ? Cpu(r) / Cpu(bare[i]) : 0);
            var redis = runs.Where(r => r.Metrics.ContainsKey("redis commands per iteration")).Select(r => r.Metrics["redis commands per iteration"]).ToList();
            var failed = runs.Sum(r => r.Global.Fail.Count);
            var rounds = string.Join(" / ", runs.Select(r => r.Global.Ok.Rps.ToString("N0", CultureInfo.InvariantCulture)));
            _section.Rows.Add(
            [
                scenario,
                system.Label,
                Median.Of(runs.Select(r => r.Global.Ok.Rps)).ToString("N0", CultureInfo.InvariantCulture),
                system == systems[0] ? "1.00×" : Median.Of(rpsRatios).ToString("0.00", CultureInfo.InvariantCulture) + "×",
                ReportTables.Ms(Median.Of(runs.Select(r => r.Global.Ok.P99))),
                Median.Of(runs.Select(Cpu)).ToString("0", CultureInfo.InvariantCulture),
                system == systems[0] ? "1.00×" : Median.Of(cpuRatios).ToString("0.00", CultureInfo.InvariantCulture) + "×",
                redis.Count == 0 ? (system.Label.StartsWith("HAProxy", StringComparison.Ordinal) || !system.Verifies ? "0" : "") : Median.Of(redis).ToString("0.##", CultureInfo.InvariantCulture),
                failed.ToString("N0", CultureInfo.InvariantCulture),
                $"RPS by round: {rounds}",
            ]);
        }
    }
}
