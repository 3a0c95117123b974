using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Gateway.Admin;

/// <summary>
/// Checks <c>X-Api-Key</c> in constant time: the presented key and every configured key are hashed to fixed-size
/// digests and all of them compared, so neither length nor position leaks. Keys are identified in audit logs by a
/// short digest prefix, never by their value. Repeated failures from one address are slowed down.
/// </summary>
internal sealed class ApiKeyVerifier
{
    private const int MaxTrackedAddresses = 10_000;
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(1);

    private readonly (byte[] Digest, string Id)[] _keys;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    public ApiKeyVerifier(IOptions<AdminOptions> options, TimeProvider time)
    {
        _keys = options.Value.ApiKeys.Where(k => !string.IsNullOrEmpty(k)).Select(k => (Digest(k), KeyId(k))).ToArray();
        _time = time;
    }

    public bool HasKeys => _keys.Length > 0;

    /// <summary>The id of the matching key, or null.</summary>
    public string? Verify(string? presented)
    {
        var digest = Digest(presented ?? string.Empty);
        string? match = null;
        foreach (var (expected, id) in _keys)
        {
            // No early exit: every configured key is compared.
            if (CryptographicOperations.FixedTimeEquals(digest, expected) & presented is not null)
            {
                match = id;
            }
        }

        return match;
    }

    /// <summary>How long to hold a failed attempt from this address: grows with recent failures, at most 3 s.</summary>
    public TimeSpan RecordFailure(IPAddress? address)
    {
        if (address is null)
        {
            return TimeSpan.FromMilliseconds(200);
        }

        if (_failures.Count > MaxTrackedAddresses)
        {
            _failures.Clear();
        }

        var now = _time.GetUtcNow();
        var entry = _failures.GetOrAdd(address, _ => new Failures());
        int count;
        lock (entry)
        {
            if (now - entry.WindowStart > FailureWindow)
            {
                entry.WindowStart = now;
                entry.Count = 0;
            }

            count = ++entry.Count;
        }

        return TimeSpan.FromMilliseconds(Math.Min(3000, 100 * (1 << Math.Min(count - 1, 5))));
    }

    internal static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 4));

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private sealed class Failures
    {
        public DateTimeOffset WindowStart;
        public int Count;
    }
}
