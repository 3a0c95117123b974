using System.Diagnostics;
using Gateway.Sessions;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Gateway.Tests.Benchmarks;

/// <summary>
/// Memory of the denylist replica holding 1,000,000 entries (issue 12: a million denylisted jtis per instance). Prints the
/// managed heap it retains and asserts the bound README gives: at most 32 bytes an entry (12-byte slots, at least 3/8 full after
/// a growth). Runs alone (its own collection), so other tests do not blur the numbers.
/// </summary>
[Collection(BenchmarkCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class DenylistReplicaMemoryBenchmark(ITestOutputHelper output)
{
    private const int Entries = 1_000_000;

    [Fact]
    public void AMillionEntries_TakeAtMost32BytesEach()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var until = time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        var before = Heap();
        var replica = new DenylistReplica(time, 2_000_000);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Entries; i++)
        {
            replica.Add(DenylistHash.Token(new UserKey("https://issuer.example", "user-" + i), "jti-" + i), until);
        }

        var filled = clock.Elapsed;
        var after = Heap();
        var perEntry = (after - before) / (double)Entries;
        output.WriteLine($"denylist replica: {replica.Count:N0} entries added in {filled.TotalSeconds:0.0} s; managed heap +{(after - before) / 1048576.0:0.0} MB, {perEntry:0.0} bytes an entry");
        GC.KeepAlive(replica);

        Assert.Equal(Entries, replica.Count);
        Assert.True(perEntry <= 32, $"{perEntry:0.0} bytes an entry, over the bound of 32");
    }

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
