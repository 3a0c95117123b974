using Gateway.Testing;

namespace Gateway.Tests.Testing;

/// <summary>The measure behind the "allocates nothing per call" tests must see a per-call allocation.</summary>
public sealed class AllocationsTests
{
    private static object? _kept;

    [Fact]
    public void PerCall_AnObjectPerCall_AtLeastTheSmallestObject()
    {
        var perCall = Allocations.PerCall(() => _kept = new object());

        Assert.True(perCall >= 24, $"{perCall:N2} bytes per call");
    }

    [Fact]
    public void PerCall_NoAllocation_UnderOneByte()
    {
        var total = 0;
        var perCall = Allocations.PerCall(() => total++);

        Assert.True(perCall < 1, $"{perCall:N2} bytes per call");
        Assert.Equal(5_000, total);
    }

    [Fact]
    public void PerCall_OneOffAllocationInTheRun_NotChargedPerCall()
    {
        // What the runtime did to the measuring thread in a whole-suite run (7,580 bytes once, in 1,000 calls of a check
        // that allocates nothing): a one-off is no per-call allocation.
        var calls = 0;
        var perCall = Allocations.PerCall(() =>
        {
            if (++calls == 500)
            {
                _kept = new byte[8_000];
            }
        });

        Assert.True(perCall < 1, $"{perCall:N2} bytes per call");
    }

    [Fact]
    public void PerCall_NoCalls_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Allocations.PerCall(() => { }, 0));
    }
}
