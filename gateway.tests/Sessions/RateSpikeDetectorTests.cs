using Gateway.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Testing.TestUsers;

namespace Gateway.Tests.Sessions;

/// <summary>Local rate-spike counting, and the uses it keeps for the merge into Redis (cross-instance counting).</summary>
public sealed class RateSpikeDetectorTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private RateSpikeDetector NewDetector(int threshold = 5, int maxTracked = 1000) =>
        new(Options.Create(new SessionOptions { RateSpike = new RateSpikeOptions { Enabled = true, Threshold = threshold, MaxTrackedTokens = maxTracked } }), _time);

    [Fact]
    public void Exceeded_OverTheThresholdOnThisInstance_True()
    {
        var detector = NewDetector(threshold: 3);
        Assert.False(detector.Exceeded(U("u"), "j", 100));
        Assert.False(detector.Exceeded(U("u"), "j", 100));
        Assert.False(detector.Exceeded(U("u"), "j", 100));
        Assert.True(detector.Exceeded(U("u"), "j", 100));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(detector.Exceeded(U("u"), "j", 100));
    }

    [Fact]
    public void TakeUnflushed_NotShared_NothingKept()
    {
        var detector = NewDetector();
        detector.Exceeded(U("u"), "j", 100);
        Assert.Empty(detector.TakeUnflushed());
    }

    [Fact]
    public void TakeUnflushed_Shared_EachTokensUsesSinceTheLastTake()
    {
        var detector = NewDetector();
        detector.ShareCounts();
        for (var i = 0; i < 3; i++)
        {
            detector.Exceeded(U("u"), "a", 100);
        }

        detector.Exceeded(U("u"), "b", 200);
        detector.Exceeded(U("u"), "b", 200);

        var taken = detector.TakeUnflushed().OrderBy(t => t.TokenId, StringComparer.Ordinal).ToList();
        Assert.Equal([("a", 3, 100L), ("b", 2, 200L)], taken.Select(t => (t.TokenId, t.Uses, t.Expires)));
        Assert.Empty(detector.TakeUnflushed());

        detector.Exceeded(U("u"), "a", 100);
        Assert.Equal(("a", 1), detector.TakeUnflushed().Select(t => (t.TokenId, t.Uses)).Single());
    }

    [Fact]
    public void TakeUnflushed_ManyTokens_AtMostMaxTrackedWaitForAMerge()
    {
        var detector = NewDetector(maxTracked: 4);
        detector.ShareCounts();
        for (var i = 0; i < 10; i++)
        {
            detector.Exceeded(U("u"), "j" + i, 100);
        }

        Assert.InRange(detector.TakeUnflushed().Count, 1, 4);

        // Room again after the merge.
        detector.Exceeded(U("u"), "later", 100);
        Assert.Contains(detector.TakeUnflushed(), t => t.TokenId == "later");
    }

    [Theory]
    [InlineData("00:00:00.010")]
    [InlineData("00:00:06")]
    [InlineData("00:01:00")]
    public void Validator_FlushIntervalOutOfRange_NamesTheKey(string interval)
    {
        var options = new SessionOptions { RateSpike = new RateSpikeOptions { FlushInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) } };
        var result = new SessionOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Gateway:Sessions:RateSpike:FlushInterval", result.FailureMessage, StringComparison.Ordinal);
    }
}
