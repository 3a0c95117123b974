using System.Buffers.Text;
using System.Diagnostics;
using LoadTests.Cli;
using LoadTests.Engine;
using LoadTests.Hosting;
using LoadTests.Http;
using LoadTests.Reports;
using LoadTests.Scenarios;
using LoadTests.Tokens;

namespace LoadTests.Commands;

/// <summary>
/// <c>selftest</c>: cheap checks of the tool's pure logic (open-model schedule, statistics, thresholds, and the peers
/// check's medians, rotation, pool sizing and HAProxy config), kept here rather than in the test project so
/// <c>dotnet test</c> does not build the load tool.
/// </summary>
internal static class SelfTest
{
    public static int Run()
    {
        var failures = new List<string>();
        void Check(bool condition, string what)
        {
            Console.WriteLine($"  {(condition ? "ok  " : "FAIL")} {what}");
            if (!condition)
            {
                failures.Add(what);
            }
        }

        var random = new Random(1);
        var constant = OpenSchedule.Offsets(new Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), 0, random).ToList();
        Check(constant.Count == 200 && Math.Abs(constant[1] - 0.01) < 1e-9 && constant[^1] < 2, "Inject(100/s, 2 s): 200 arrivals, 10 ms apart");

        var ramp = OpenSchedule.Offsets(new RampingInject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), 0, random).ToList();
        var firstHalf = ramp.Count(t => t < 5);
        Check(ramp.Count == 500 && firstHalf == 125, $"RampingInject(0 → 100/s, 10 s): 500 arrivals, a quarter in the first half (got {ramp.Count}, {firstHalf})");
        Check(ramp.Zip(ramp.Skip(1)).All(p => p.First <= p.Second), "ramp arrivals are in order");

        var down = OpenSchedule.Offsets(new RampingInject(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), 100, random).ToList();
        Check(down.Count == 500 && down.Count(t => t < 5) == 375, "RampingInject(100 → 0/s): three quarters in the first half");

        var randomArrivals = OpenSchedule.Offsets(new InjectRandom(10, 20, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), 0, random).ToList();
        Check(randomArrivals.Count is >= 50 and <= 100 && randomArrivals.All(t => t < 5), "InjectRandom(10..20/s, 5 s): 50..100 arrivals");
        Check(!OpenSchedule.Offsets(new Pause(TimeSpan.FromSeconds(3)), 50, random).Any(), "Pause: no arrivals");

        var recorder = new StatsRecorder("t");
        for (var i = 1; i <= 1000; i++)
        {
            recorder.Record(Response.Ok(200, 10), i * Stopwatch.Frequency / 1000);
        }

        recorder.Record(Response.Fail(503, 0), Stopwatch.Frequency);
        var snapshot = recorder.Snapshot(TimeSpan.FromSeconds(10));
        Check(Math.Abs(snapshot.Ok.P50 - 500) < 1 && Math.Abs(snapshot.Ok.P99 - 990) < 2 && Math.Abs(snapshot.Ok.MaxMs - 1000) < 1e-6,
            $"1..1000 ms: p50 500, p99 990, max 1000 (got {snapshot.Ok.P50}, {snapshot.Ok.P99}, {snapshot.Ok.MaxMs})");
        Check(snapshot.Ok.Count == 1000 && snapshot.Fail.Count == 1 && Math.Abs(snapshot.Ok.Rps - 100) < 1e-9 && snapshot.Ok.AllBytes == 10_000,
            "counts, RPS and bytes");
        Check(snapshot.StatusCodes.Any(c => c.Code == 503 && !c.IsOk && c.Count == 1), "status codes split ok / fail");

        var host = ProcStat.ParseHost("cpu  100 5 50 800 20 1 2 30 7 0");
        Check(host == new ProcStat.HostTicks(1008, 820, 30), $"/proc/stat: total of the first eight states, idle with I/O wait, steal (got {host})");
        var own = ProcStat.ParseProcess("4242 (dotnet (x) y) S 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0 27 0 99");
        Check(own == (150, 27), $"/proc/<pid>/stat: utime + stime and threads, a name with spaces and parentheses (got {own})");

        Check(ScenarioRunner.StealPercent(new ProcStat.HostTicks(1000, 500, 10), new ProcStat.HostTicks(1200, 550, 40)) == 15 &&
              ScenarioRunner.StealPercent(default, new ProcStat.HostTicks(1200, 550, 40)) is null && ScenarioRunner.StealPercent(host, host) is null,
            "host steal: stolen ticks over all ticks of the phase, in %; nothing without two reads of /proc/stat");
        ScenarioResult Round(string target, double? steal)
        {
            var round = new ScenarioResult { Scenario = "s", Target = target, Simulations = [], Duration = TimeSpan.FromSeconds(1), Global = recorder.Snapshot(TimeSpan.FromSeconds(1)), Steps = [] };
            if (steal is { } value)
            {
                round.Metrics[ScenarioRunner.HostStealMetric] = value;
            }

            return round;
        }

        var stealNote = CompareCommand.StealNote([Round("a r1", 0), Round("b r1", 12.5), Round("a r2", 1), Round("b r2", null)]);
        Check(stealNote is not null && stealNote.StartsWith("the host took 1.0% of this machine's CPU (steal) in the median measured round, 12.5% in the worst (s @ b r1)", StringComparison.Ordinal)
              && CompareCommand.StealNote([Round("a", null)]) is null, $"steal note: the median round and the worst, named; none without readings (got {stealNote})");

        var stolenPairs = CompareCommand.StolenPairs([Round("b r1", 2), Round("b r2", 30), Round("b r3", 0), Round("b r4", null)],
            [Round("g r1", 10), Round("g r2", 0), Round("g r3", 10.5), Round("g r4", 3)], 10);
        Check(stolenPairs.SequenceEqual([1, 2]), $"steal limit: a pair is left out when either round lost more than the limit to the host (got {string.Join(",", stolenPairs)})");

        var tick = Stopwatch.Frequency / 1000;
        var timeline = new OpenTimeline(0, TimeSpan.FromSeconds(1), []);
        for (var i = 0; i < 1000; i++)
        {
            // One request a ms, 1 ms each, except 20 of 7 ms in the window at 0.3 s and 5 of 9 ms in the one at 0.8 s.
            var slow = i is >= 300 and < 320 ? 7 : i is >= 800 and < 805 ? 9 : 1;
            timeline.Record(i * tick, slow * tick);
        }

        timeline.Record(-tick, 50 * tick);
        timeline.Record(5000 * tick, 50 * tick);
        var lines = timeline.Describe(worst: 1);
        Check(timeline.Windows == 11 && lines.Count == 2 && lines[0].Contains("25 of 1,000 requests over 5 ms", StringComparison.Ordinal)
            && lines[0].Contains("in 2 of 10 windows", StringComparison.Ordinal) && lines[0].Contains("hold 80 %", StringComparison.Ordinal)
            && lines[1].StartsWith("  at 0.3 s: 20 of 100 over 5 ms, slowest 7.0 ms", StringComparison.Ordinal),
            $"timeline: slow requests counted per 100 ms window by intended start, the worst window first, outside arrivals ignored (got {string.Join(" | ", lines)})");

        // One disturbed round (the second pair's baseline) moves a mean by a third of its size, a median of pairs not at all.
        double[] bareP99 = [4.0, 40.0, 5.0], gatewayP99 = [4.5, 4.2, 5.5];
        Check(Math.Abs(PairedRounds.MedianDifference(bareP99, gatewayP99) - 0.5) < 1e-9, "paired rounds: the median of gateway − baseline per pair");
        Check(Math.Abs(PairedRounds.MedianRatio([100.0, 200.0, 0.0, 100.0], [90.0, 200.0, 50.0, 120.0]) - 1.0) < 1e-9, "paired rounds: the median of ratios, a zero baseline left out");
        Check(PairedRounds.Summary(bareP99, gatewayP99, "0.0") == "median of 3 paired rounds, b/g: 4.0/4.5, 40.0/4.2, 5.0/5.5" &&
              PairedRounds.Summary([4.0], [4.5], "0.0").Length == 0, "paired rounds: each pair as baseline/gateway, in order; nothing for one round");

        // The interval of a median over pairs: order statistics chosen by the sign test's binomial, at least 95 % cover.
        double[] twenty = [.. Enumerable.Range(1, 20).Select(i => (double)i)];
        Check(PairedRounds.MedianInterval(twenty) == (6.0, 15.0) && PairedRounds.MedianInterval(twenty[..10]) == (2.0, 9.0)
              && PairedRounds.MedianInterval([3.0, 1.0, 6.0, 2.0, 5.0, 4.0]) == (1.0, 6.0) && PairedRounds.MedianInterval(twenty[..5]) is null,
            "paired rounds: the 95 % interval of the median is x(6)–x(15) of 20, x(2)–x(9) of 10, min–max of 6, none below 6");
        Check(PairedRounds.RatioInterval([100.0, 100, 100, 100, 100, 100], [90.0, 95, 96, 97, 98, 99]) == "; 95 % interval of the median 0.90–0.99×"
              && PairedRounds.DifferenceInterval([1.0, 1, 1, 1, 1, 1], [0.8, 3, 4, 5, 6, 8], "0.0", " µs") == "; 95 % interval of the median -0.2 to +7.0 µs"
              && PairedRounds.DifferenceInterval([1.0], [2.0], "0.0", " µs").Length == 0,
            "paired rounds: the interval's text for a ratio and a signed difference; nothing below 6 pairs");
        double[] many = [.. Enumerable.Range(1, 2000).Select(i => (double)i)];
        Check(PairedRounds.MedianInterval(many) is var (lowMany, highMany) && lowMany is > 940 and < 970 && highMany is > 1030 and < 1060,
            $"paired rounds: the interval of 2,000 pairs is the median ± 1.96 standard errors, with no power of 2 underflowing (got {PairedRounds.MedianInterval(many)})");

        // Flags take no value: `--bare --pid 5` must not read "--pid" as the value of --bare.
        var flags = CommandLine.Parse(["run", "--bare", "--pid", "5", "--calibrate"]);
        Check(flags.Has("bare") && flags.Get("pid") == "5" && flags.Has("calibrate"), "command line: --bare and --calibrate are flags, the option after them keeps its value");

        var threshold = Threshold.Parse("reused-tokens:p99 < 5");
        Check(threshold is { Scope: "reused-tokens", Metric: "p99", Operator: "<", Value: 5 } && threshold.Holds(4.9) && !threshold.Holds(5), "threshold parsing");
        Check(Threshold.Parse("fail%<1").Metric == "fail%", "fail% threshold");

        // The peers check: medians, rotation, pool sizing, the HAProxy config and the PEM it loads.
        Check(Median.Of([3, 1, 2]) == 2 && Median.Of([4, 1, 3, 2]) == 2.5 && Median.Of([]) == 0, "median of odd, even and no rounds");
        var systems = new[] { "a", "b", "c", "d" };
        var orders = Enumerable.Range(0, 4).Select(r => PeerComparison.Rotated(systems, r)).ToList();
        Check(string.Concat(orders[1]) == "bcda" && Enumerable.Range(0, 4).All(position => orders.Select(o => o[position]).Distinct().Count() == 4),
            "rounds rotate the order: every system takes every position once in 4 rounds");
        Check(PeerComparison.NeverSeenPoolSize(10_000, TimeSpan.FromSeconds(13), 3, 1_500_000) == 429_000
              && PeerComparison.NeverSeenPoolSize(10, TimeSpan.FromSeconds(1), 1, 1_500_000) == 20_000
              && PeerComparison.NeverSeenPoolSize(1e6, TimeSpan.FromSeconds(25), 3, 1_500_000) == 1_500_000,
            "never-seen pool: fastest reused rate × (warm-up + measure) × rounds + 10 %, within [20,000, --peer-pool]");
        var first = new TokenPool(["t1", "t2", "t3"]);
        var second = new TokenPool(["t1", "t2", "t3"]);
        first.Next();
        first.Next();
        Check(second.Next() == "t1" && first.Next() == "t3" && first.Reused == 0 && second.Reused == 0, "each system walks the never-seen pool from its start");
        var config = HaproxyPeer.Config(18080, new Uri("http://127.0.0.1:5000/"), "/tmp/k.pem", "/tmp/deny.map", "https://loadtests.local", "api");
        Check(config.Contains("bind 127.0.0.1:18080", StringComparison.Ordinal)
              && config.Contains("server backend 127.0.0.1:5000", StringComparison.Ordinal)
              && config.Contains("jwt_verify(\"ES256\",\"/tmp/k.pem\") -m int 1", StringComparison.Ordinal)
              && config.Contains("acl iss_ok var(txn.iss) -m str https://loadtests.local", StringComparison.Ordinal)
              && config.Contains("acl aud_ok var(txn.aud) -m str api", StringComparison.Ordinal)
              && config.Contains("add(30),sub(txn.now) -m int ge 0", StringComparison.Ordinal)
              && config.Contains("map(/tmp/deny.map) -m found", StringComparison.Ordinal)
              && new[] { "!alg_ok", "!iss_ok", "!aud_ok", "!exp_ok", "!sig_ok", "revoked" }.All(c => config.Contains($"deny_status 401 if protected {c}", StringComparison.Ordinal)),
            "HAProxy config: key, denylist map, issuer, audience, expiry with skew, a 401 for each failed check");
        var key = SigningKey.Generate("self");
        using (var minter = new TokenMinter(key, "iss", "aud"))
        using (var fromPem = System.Security.Cryptography.ECDsa.Create())
        {
            fromPem.ImportFromPem(key.PublicKeyPem());
            var token = minter.Mint(new TokenClaims("s", null, "j", 0, 1));
            var dot = token.LastIndexOf('.');
            Check(fromPem.VerifyData(System.Text.Encoding.ASCII.GetBytes(token[..dot]), Base64Url.DecodeFromChars(token.AsSpan(dot + 1)), System.Security.Cryptography.HashAlgorithmName.SHA256),
                "the PEM given to HAProxy verifies a minted ES256 token");
        }

        // The lean HTTP/1.1 client: the head parser, chunk sizes, and a loopback server answering with each framing.
        var plain = ResponseHead.Parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n"u8);
        var chunkedClose = ResponseHead.Parse("HTTP/1.1 401 Unauthorized\r\ntransfer-encoding:  Chunked\r\nconnection: Close\r\n\r\n"u8);
        Check(plain == new ResponseHead(200, 12, false, false) && chunkedClose == new ResponseHead(401, -1, true, true) &&
              ResponseHead.Parse("HTTP/1.0 200 OK\r\n\r\n"u8).Close && ResponseHead.Parse("HTTP/1.1 204\r\n\r\n"u8).Status == 204,
            $"response head: status, Content-Length, chunked and close in any case; HTTP/1.0 closes (got {plain}, {chunkedClose})");
        Check(Throws(() => ResponseHead.Parse("HTTP/2 200 OK\r\n\r\n"u8)) && Throws(() => ResponseHead.Parse("HTTP/1.1 2x0 OK\r\n\r\n"u8)) &&
              Throws(() => ResponseHead.Parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"u8)),
            "response head: a bad status line or Content-Length is refused");
        Check(Http1Connection.ParseChunkSize("1a;name=value"u8) == 26 && Http1Connection.ParseChunkSize("0"u8) == 0 && Throws(() => Http1Connection.ParseChunkSize("zz"u8)) &&
              Throws(() => Http1Connection.ParseChunkSize(""u8)), "chunk size: hexadecimal, extensions ignored, garbage refused");
        foreach (var (ok, what) in Http1Checks.RunAsync().GetAwaiter().GetResult())
        {
            Check(ok, what);
        }

        var (allocated, largest) = MeasureOwnAllocations();
        Check(allocated is > 60_000_000 and < 120_000_000 && largest == "System.Byte[]",
            $"allocation meter on this process: 64 MB of byte arrays counted as 60-120 MB, byte arrays first (got {allocated:N0} bytes, {largest})");

        Console.WriteLine(failures.Count == 0 ? "selftest passed" : $"selftest: {failures.Count} failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static byte[]? _lastArray;

    // Allocates 64 MB in 1 KB arrays while a meter listens to this very process.
    private static (long Bytes, string? Largest) MeasureOwnAllocations()
    {
        var meter = AllocationMeter.Start(Environment.ProcessId);
        for (var i = 0; i < 65_536; i++)
        {
            // Kept in a field so that the JIT cannot place it on the stack.
            _lastArray = new byte[1024];
        }

        var tally = meter.StopAsync().GetAwaiter().GetResult();
        meter.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return (tally.Bytes, tally.ByType.Count > 0 ? tally.ByType[0].Key : null);
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }
}
