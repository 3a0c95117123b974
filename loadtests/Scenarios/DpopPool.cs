namespace LoadTests.Scenarios;

/// <summary>
/// Pre-made DPoP requests: a bound token's <c>Authorization: DPoP …</c> value and a fresh proof for it, each pair handed
/// out once. When the pool runs dry it wraps around and counts the reuse: the gateway refuses those (replayed proofs).
/// </summary>
internal sealed class DpopPool
{
    private readonly (string Authorization, string Proof)[] _requests;
    private long _next = -1;

    public DpopPool((string Authorization, string Proof)[] requests)
    {
        _requests = requests;
    }

    public int Size => _requests.Length;

    public long Reused => Math.Max(0, Interlocked.Read(ref _next) + 1 - _requests.Length);

    public (string Authorization, string Proof) Next() => _requests[Interlocked.Increment(ref _next) % _requests.Length];
}
