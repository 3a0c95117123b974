using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Sessions;
using Gateway.Sessions.Embedded;
using Gateway.Sessions.Inventory;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>A measurement, not a test: run when <c>GATEWAY_MEASURE=1</c> is set (README, "Session inventory: cost").</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_MEASURE") != "1")
        {
            Skip = "a measurement: set GATEWAY_MEASURE=1 to run it";
        }
    }
}

/// <summary>What the session inventory costs: store writes under a reused-token load, and memory per session.</summary>
public sealed class InventoryCostMeasurement(InventoryCostMeasurement.LoadGateway fixture, ITestOutputHelper output) : IClassFixture<InventoryCostMeasurement.LoadGateway>
{
    [MeasurementFact]
    public async Task WritesPerSecond_UnderAReusedTokenLoad()
    {
        const int users = 500;
        var tokens = Enumerable.Range(0, users).Select(i => fixture.Token($"load-{i}", sid: $"s-{i}")).ToArray();
        long written = 0, queued = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Gateway" && instrument.Name == "gateway.inventory.writes")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if ((string?)tag.Value == "written")
                {
                    Interlocked.Add(ref written, value);
                }
                else if ((string?)tag.Value == "queued")
                {
                    Interlocked.Add(ref queued, value);
                }
            }
        });
        listener.Start();

        var duration = TimeSpan.FromSeconds(70);
        long requests = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async worker =>
        {
            var i = worker;
            while (stopwatch.Elapsed < duration)
            {
                using var response = await fixture.Gateway.GetAsync("/api/x", tokens[i % users]);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Interlocked.Increment(ref requests);
                i += 16;
            }
        }));
        await SessionInventoryTests.DrainAsync(fixture.Gateway);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        output.WriteLine($"{requests} requests in {seconds:0.0} s ({requests / seconds:0} req/s) over {users} sessions; inventory writes queued {queued}, written {written} " +
            $"({written / seconds:0.0}/s, {100.0 * written / requests:0.00}% of requests)");
    }

    [MeasurementFact]
    public async Task Memory_PerSession()
    {
        const int users = 20_000, perUser = 5;
        var minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60;
        var options = Options.Create(new SessionOptions());
        var idle = TimeSpan.FromMinutes(30);

        // The embedded store.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(true);
        using var store = new EmbeddedSessionStore(TimeProvider.System, new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions())), new RevocationNotifier(), options);
        for (var u = 0; u < users; u++)
        {
            var user = new UserKey("https://issuer.test", $"user-{u:D6}");
            for (var s = 0; s < perUser; s++)
            {
                await store.RecordSessionSeenAsync(user, new SessionSighting($"sid-{u:D6}-{s}", "web-app", minute, minute - 30, minute - 600, "Firefox on Linux", "203.0.113.0/24"), idle, default);
            }
        }

        var embedded = GC.GetTotalMemory(true) - before;
        output.WriteLine($"embedded store: {users * perUser} sessions, {embedded / (double)(users * perUser):0} bytes per session");

        // Redis.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString + ",allowAdmin=true");
        var server = redis.GetServers()[0];
        var usedBefore = Used(await server.InfoAsync("memory"));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var redisStore = new Gateway.Sessions.Redis.RedisSessionStore(redis, new Gateway.Sessions.Redis.RedisKeys("measure:"),
            new Gateway.Telemetry.GatewayMetrics(meters.GetRequiredService<IMeterFactory>()),
            new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions())), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Gateway.Sessions.Redis.RedisSessionStore>.Instance, options);
        const int redisUsers = 4_000;
        for (var u = 0; u < redisUsers; u++)
        {
            var user = new UserKey("https://issuer.test", $"user-{u:D6}");
            await Task.WhenAll(Enumerable.Range(0, perUser).Select(s => redisStore.RecordSessionSeenAsync(user,
                new SessionSighting($"sid-{u:D6}-{s}", "web-app", minute, minute - 30, minute - 600, "Firefox on Linux", "203.0.113.0/24"), idle, default)));
        }

        var redisBytes = Used(await server.InfoAsync("memory")) - usedBefore;
        output.WriteLine($"redis: {redisUsers * perUser} sessions, {redisBytes / (double)(redisUsers * perUser):0} bytes per session (used_memory)");

        // This instance's marks (user, sid) -> last written period.
        GC.Collect();
        before = GC.GetTotalMemory(true);
        var marks = new Gateway.Caching.GenerationalMap<(UserKey, string), object>(200_000);
        for (var i = 0; i < 100_000; i++)
        {
            marks.Set((new UserKey("https://issuer.test", $"user-{i:D6}"), $"sid-{i:D6}-0"), new object());
        }

        var marksBytes = GC.GetTotalMemory(true) - before;
        GC.KeepAlive(marks);
        output.WriteLine($"local marks: {marksBytes / 100_000.0:0} bytes per tracked session (incl. the sub and sid strings)");
    }

    /// <summary>The session fixture without rate-spike detection (a reused token at load rate is the point here).</summary>
    public sealed class LoadGateway : SessionGateway
    {
        protected override void Configure(GatewayConfig config) => config.Set("Gateway:Sessions:RateSpike:Enabled", false);
    }

    private static long Used(IGrouping<string, KeyValuePair<string, string>>[] info) =>
        long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
}
