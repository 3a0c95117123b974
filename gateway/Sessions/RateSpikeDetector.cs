using Gateway.Caching;
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
    private readonly GenerationalMap<(UserKey User, string TokenId), Window> _windows;

    public RateSpikeDetector(IOptions<SessionOptions> options, TimeProvider time)
    {
        _options = options.Value.RateSpike;
        _time = time;
        _windowTicks = Math.Max(1, _options.Window.Ticks);
        _windows = new GenerationalMap<(UserKey User, string TokenId), Window>(_options.MaxTrackedTokens);
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Counts one request of a token; true when it goes over the threshold in the current window.</summary>
    public bool Exceeded(UserKey user, string tokenId)
    {
        var window = _windows.GetOrAdd((user, tokenId), static () => new Window());
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

    private sealed class Window
    {
        public long Start = long.MinValue / 2;
        public int Count;
    }
}
