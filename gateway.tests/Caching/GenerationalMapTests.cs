using Gateway.Caching;

namespace Gateway.Tests.Caching;

/// <summary>The two-generation map behind every bounded cache: bounded, and entries in use survive rotations.</summary>
public sealed class GenerationalMapTests
{
    [Fact]
    public void Set_ManyKeys_StaysUnderCapacity()
    {
        var map = new GenerationalMap<int, int>(100);
        for (var i = 0; i < 10_000; i++)
        {
            map.Set(i, i);
        }

        Assert.True(map.Count <= 100, $"{map.Count} entries for a capacity of 100");
        Assert.True(map.TryGetValue(9_999, out _));
        Assert.False(map.TryGetValue(0, out _));
    }

    [Fact]
    public void TryGetValue_WithPromote_KeepsAHotKeyAcrossRotations()
    {
        var map = new GenerationalMap<int, int>(10);
        map.Set(-1, 42);
        for (var i = 0; i < 1_000; i++)
        {
            map.Set(i, i);
            Assert.True(map.TryGetValue(-1, out var value, promote: true), $"hot key lost after {i} inserts");
            Assert.Equal(42, value);
        }
    }

    [Fact]
    public void GetOrAdd_ReturnsTheOldGenerationsValue_BeforeCreatingOne()
    {
        var map = new GenerationalMap<string, object>(4, StringComparer.Ordinal);
        var first = map.GetOrAdd("k", () => new object());
        map.Set("a", 1);
        map.Set("b", 2);
        Assert.Same(first, map.GetOrAdd("k", () => new object()));
    }

    [Fact]
    public void TryUpdate_SwapsOnlyTheValueItWasGiven_InEitherGeneration()
    {
        var map = new GenerationalMap<string, string>(4, StringComparer.Ordinal);
        map.Set("old", "v1");
        map.Set("a", "a");
        map.Set("young", "v1");

        // "old" now lives in the old generation, "young" in the young one.
        Assert.True(map.TryUpdate("old", "v2", "v1"));
        Assert.True(map.TryUpdate("young", "v2", "v1"));
        Assert.False(map.TryUpdate("young", "v3", "v1"));
        Assert.False(map.TryUpdate("missing", "v1", "v1"));
        Assert.True(map.TryGetValue("old", out var old));
        Assert.True(map.TryGetValue("young", out var young));
        Assert.Equal(("v2", "v2"), (old, young));
    }

    [Fact]
    public void Remove_AndClear_ForgetBothGenerations()
    {
        var map = new GenerationalMap<int, int>(4);
        map.Set(1, 1);
        map.Set(2, 2);
        map.Set(3, 3);
        map.Remove(1);
        Assert.False(map.TryGetValue(1, out _));
        map.Clear();
        Assert.Equal(0, map.Count);
    }
}
