using System.Diagnostics;
using Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Gateway.Tests.Benchmarks;

/// <summary>
/// Memory of the local session-state cache filled to the worst case the configuration allows: <c>LocalCacheSize</c>
/// (default 100,000) users, each with <see cref="SessionStateCache.MaxFactsPerKind"/> sessions, tokens and clients, the
/// longest subject and active session the token checks accept (256 characters), and an issuer string of its own.
/// Prints process RSS and managed heap before and after (README, Performance: "Memory of the session cache"); asserts
/// only the bound, never a time. Runs alone (its own collection), so other tests do not blur the numbers.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class SessionStateCacheMemoryBenchmark(ITestOutputHelper output)
{
    private const int Users = 100_000;

    /// <summary>Bytes per cached user the README's formula gives for ids of <paramref name="idLength"/> characters (64-bit .NET).</summary>
    internal static long BoundPerUser(int idLength, int issuerLength) =>
        128 // the entry: object header, three fact arrays, version, cut-off, load time, trust epoch, active sid, two leads, stale flag
        + 24 + (SessionStateCache.MaxFactsPerKind * 32) // 32 session facts: id hash, revoked, newest and first iat
        + 2 * (24 + (SessionStateCache.MaxFactsPerKind * 16)) // 32 token and 32 client facts: 8-byte id hash + 8-byte value
        + 2 * StringBytes(idLength) // subject and active sid
        + StringBytes(issuerLength) // the issuer, when not shared with other users
        + 96; // the dictionary node (key, value, hash, next) and its bucket, with slack

    [Theory]
    [InlineData(36, "uuid-sized ids")]
    [InlineData(256, "longest ids accepted")]
    public void Fill_LocalCacheSizeUsers_WithMaxFactsPerKind_PrintsRssAndHeap(int idLength, string label)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var before = Measure();
        var cache = new SessionStateCache(time, TimeSpan.FromMinutes(1), Users);
        cache.SetTrusted(true);
        var clock = Stopwatch.StartNew();
        // Two generations of Users / 2 (GenerationalMap): filled user by user, they hold at most Users - 2 whole users at once.
        for (var u = 0; u < Users - 2; u++)
        {
            var user = new UserKey("https://issuer.example/" + u.ToString("D8", System.Globalization.CultureInfo.InvariantCulture),
                Id("sub", u, idLength));
            var state = new SessionState(1, 1_700_000_000, false, false, Id("sid", u, idLength));
            for (var f = 0; f < SessionStateCache.MaxFactsPerKind; f++)
            {
                cache.Complete(user, Id("s" + f, u, 16), Id("j" + f, u, 16), Id("c" + f, u, 16), state, cache.BeginRead(user));
            }
        }

        var filled = clock.Elapsed;
        var after = Measure();
        var heapPerUser = (after.Heap - before.Heap) / (double)cache.Count;
        var bound = BoundPerUser(idLength, 31);
        output.WriteLine($"session cache, {label}: {cache.Count:N0} users x {SessionStateCache.MaxFactsPerKind} facts per kind, filled in {filled.TotalSeconds:0.0} s");
        output.WriteLine($"  managed heap {Mb(before.Heap)} -> {Mb(after.Heap)} MB (+{Mb(after.Heap - before.Heap)} MB, {heapPerUser:N0} bytes per user; formula {bound:N0})");
        output.WriteLine($"  process RSS  {Mb(before.Rss)} -> {Mb(after.Rss)} MB (+{Mb(after.Rss - before.Rss)} MB)");
        GC.KeepAlive(cache);

        Assert.InRange(cache.Count, Users - 2, Users);
        Assert.True(heapPerUser <= bound, $"{heapPerUser:N0} bytes per user, over the README's bound of {bound:N0}");
    }

    private static string Id(string kind, int user, int length)
    {
        var id = kind + "-" + user.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-";
        return id.Length >= length ? id : id + new string('x', length - id.Length);
    }

    private static long StringBytes(int length) => 22 + (2 * length) + 2;

    private static (long Heap, long Rss) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
