using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Gateway.Gate.ProofOfPossession;

/// <summary>
/// The imported public keys of recent DPoP proofs, by RFC 7638 thumbprint (which names exactly one key): importing a
/// JWK into the platform's crypto costs several times a signature check, and a client signs every proof with the same
/// key. Bounded: at capacity the cache starts afresh. Each key is used under its own lock (the platform does not
/// promise that one key object verifies on several threads at once); evicted keys are left to the finalizer, since
/// another request may still hold one.
/// </summary>
internal sealed class ProofKeyCache
{
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);

    public ProofKeyCache(int capacity)
    {
        _capacity = capacity;
    }

    public int Count => _keys.Count;

    /// <summary>Runs <paramref name="verify"/> with the key of <paramref name="thumbprint"/>, importing it with <paramref name="import"/> the first time.</summary>
    public bool Verify(string thumbprint, Func<AsymmetricAlgorithm> import, Func<AsymmetricAlgorithm, bool> verify)
    {
        if (_capacity <= 0)
        {
            using var once = import();
            return verify(once);
        }

        if (!_keys.TryGetValue(thumbprint, out var entry))
        {
            if (_keys.Count >= _capacity)
            {
                _keys.Clear();
            }

            // A key that does not import throws here and is never cached.
            entry = _keys.GetOrAdd(thumbprint, new Entry(import()));
        }

        lock (entry.Gate)
        {
            return verify(entry.Key);
        }
    }

    private sealed class Entry(AsymmetricAlgorithm key)
    {
        public AsymmetricAlgorithm Key { get; } = key;

        public Lock Gate { get; } = new();
    }
}
