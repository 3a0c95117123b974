using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Counts each token's requests in fixed windows on this instance (no Redis round trip). Bounded by two
/// generations of at most <c>MaxTrackedTokens / 2</c> entries each.
/// </summary>
internal sealed class RateSpikeDetector
{
    private readonly RateSpikeOptions _options;
    private readonly TimeProvider _time;
    private readonly long _windowTicks;
    private ConcurrentDictionary<string, Window> _young = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Window> _old = new(StringComparer.Ordinal);
    private readonly Lock _rotate = new();

    public RateSpikeDetector(IOptions<SessionOptions> options, TimeProvider time)
    {
        _options = options.Value.RateSpike;
        _time = time;
        _windowTicks = Math.Max(1, _options.Window.Ticks);
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Counts one request of <paramref name="key"/>; true when it goes over the threshold in the current window.</summary>
    public bool Exceeded(string key)
    {
        var window = _young.TryGetValue(key, out var found) ? found : Promote(key);
        var now = _time.GetUtcNow().UtcTicks;
        lock (window)
        {
            if (now - window.Start >= _windowTicks)
            {
                window.Start = now;
                window.Count = 0;
            }

            return ++window.Count > _options.Threshold;
        }
    }

    private Window Promote(string key)
    {
        if (_young.Count >= Math.Max(1, _options.MaxTrackedTokens / 2))
        {
            lock (_rotate)
            {
                if (_young.Count >= Math.Max(1, _options.MaxTrackedTokens / 2))
                {
                    _old = _young;
                    _young = new ConcurrentDictionary<string, Window>(StringComparer.Ordinal);
                }
            }
        }

        return _young.GetOrAdd(key, static (k, old) => old.TryRemove(k, out var w) ? w : new Window(), _old);
    }

    private sealed class Window
    {
        public long Start = long.MinValue / 2;
        public int Count;
    }
}
