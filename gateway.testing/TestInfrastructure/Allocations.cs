namespace Gateway.Testing;

/// <summary>
/// Bytes this thread allocates per call of an action, for the tests that pin a hot path at no allocation per call.
/// </summary>
public static class Allocations
{
    /// <summary>
    /// Calls <paramref name="call"/> <paramref name="calls"/> times (after the caller's warm-up) and gives the bytes this
    /// thread allocated, divided by the calls.
    /// </summary>
    /// <remarks>
    /// The runtime can charge a one-off allocation to the measuring thread in the middle of a run (tier-up, thread-static
    /// storage): a CI run of the whole suite saw 40 bytes over 100 calls of a check that allocates nothing, so "exactly 0"
    /// fails at random. An allocation made on every call is at least 24 bytes (the smallest object), so "under one byte
    /// per call" over many calls still fails for any per-call allocation and tolerates one-offs of fewer bytes than calls.
    /// </remarks>
    public static double PerCall(Action call, int calls = 1_000)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            call();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }
}
