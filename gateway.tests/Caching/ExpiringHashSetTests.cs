using Gateway.Caching;

namespace Gateway.Tests.Caching;

/// <summary>The flat hash set behind the denylist replica: what it finds, how it grows and prunes, and lock-free reads.</summary>
public sealed class ExpiringHashSetTests
{
    [Fact]
    public void Add_ThenTryGet_FindsTheEntryAndItsExpiry()
    {
        var set = new ExpiringHashSet();
        set.Add(42, 1_000);
        Assert.True(set.TryGet(42, out var until));
        Assert.Equal(1_000, until);
        Assert.False(set.TryGet(43, out _));
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void ALaterExpiry_Wins_AnEarlierOneNeverShortensIt()
    {
        var set = new ExpiringHashSet();
        set.Add(7, 1_000);
        set.Add(7, 2_000);
        set.Add(7, 1_500);
        Assert.True(set.TryGet(7, out var until));
        Assert.Equal(2_000, until);
        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void HashZero_SharesTheEntryOfOne_SoItCanOnlyErrTowardsPresent()
    {
        var set = new ExpiringHashSet();
        set.Add(0, 1_000);
        Assert.True(set.TryGet(0, out _));
        Assert.True(set.TryGet(1, out _));
    }

    [Fact]
    public void Growing_KeepsEveryEntry()
    {
        var set = new ExpiringHashSet();
        var random = new Random(12);
        var hashes = Enumerable.Range(0, 100_000).Select(_ => (ulong)random.NextInt64() * 3 + 2).Distinct().ToArray();
        foreach (var hash in hashes)
        {
            if (!set.HasRoom)
            {
                set = set.Grown();
            }

            set.Add(hash, (long)(hash % 1_000) + 1);
        }

        Assert.Equal(hashes.Length, set.Count);
        Assert.All(hashes, hash => Assert.True(set.TryGet(hash, out var until) && until == (long)(hash % 1_000) + 1));
    }

    [Fact]
    public void Pruned_KeepsOnlyEntriesThatOutliveNow()
    {
        var set = new ExpiringHashSet();
        set.Add(1, 100);
        set.Add(2, 200);
        set.Add(3, 300);
        var pruned = set.Pruned(200);
        Assert.Equal(1, pruned.Count);
        Assert.False(pruned.TryGet(1, out _));
        Assert.False(pruned.TryGet(2, out _));
        Assert.True(pruned.TryGet(3, out _));
    }

    [Fact]
    public void ExpiriesBeyondUint_AreClampedUpward_NotWrapped()
    {
        var set = new ExpiringHashSet();
        set.Add(5, long.MaxValue);
        Assert.True(set.TryGet(5, out var until));
        Assert.Equal(uint.MaxValue, until);
    }

    [Fact]
    public async Task AReaderDuringWrites_FindsEveryEntryAddedBeforeItLooked()
    {
        // One writer (as the replica's lock ensures) adds and grows; readers check that whatever was published is found.
        var set = new ExpiringHashSet();
        long published = 0;
        var done = false;
        var misses = 0;
        var readers = Enumerable.Range(0, 2).Select(reader => Task.Run(() =>
        {
            while (!Volatile.Read(ref done))
            {
                var upTo = Volatile.Read(ref published);
                var current = Volatile.Read(ref set);
                for (var h = Math.Max(1, upTo - 500); h <= upTo; h++)
                {
                    if (!current.TryGet((ulong)h * 0x9E37_79B9UL, out _))
                    {
                        Interlocked.Increment(ref misses);
                    }
                }
            }
        })).ToArray();

        for (long h = 1; h <= 200_000; h++)
        {
            if (!set.HasRoom)
            {
                Volatile.Write(ref set, set.Grown());
            }

            set.Add((ulong)h * 0x9E37_79B9UL, 10);
            Volatile.Write(ref published, h);
        }

        Volatile.Write(ref done, true);
        await Task.WhenAll(readers);
        Assert.Equal(0, misses);
    }
}
