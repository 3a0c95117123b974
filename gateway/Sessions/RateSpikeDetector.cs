using System.Collections.Concurrent;
using Gateway.Caching;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Counts each token's requests in fixed windows on this instance (no Redis round trip). Bounded by two
/// generations of at most <c>MaxTrackedTokens / 2</c> entries each. With a shared store
/// (<see cref="ShareCounts"/>), it also keeps the uses not yet merged into the store, for
/// <see cref="Redis.RateSpikeFlusher"/> to take (<see cref="TakeUnflushed"/>): at most <c>MaxTrackedTokens</c> tokens
/// wait for a merge; beyond that a token is counted on this instance only until the next merge.
/// </summary>
internal sealed class RateSpikeDetector
{
    private readonly RateSpikeOptions _options;
    private readonly TimeProvider _time;
    private readonly long _windowTicks;
    private readonly GenerationalMap<(UserKey User, string TokenId), Window> _windows;
    private readonly ConcurrentQueue<Pending> _unflushed = new();
    private int _unflushedCount;
    private volatile bool _shared;

    public RateSpikeDetector(IOptions<SessionOptions> options, TimeProvider time)
    {
        _options = options.Value.RateSpike;
        _time = time;
        _windowTicks = Math.Max(1, _options.Window.Ticks);
        _windows = new GenerationalMap<(UserKey User, string TokenId), Window>(_options.MaxTrackedTokens);
    }

    public bool Enabled => _options.Enabled;

    /// <summary>From now on, also keep each token's uses until they are merged into the shared store.</summary>
    public void ShareCounts() => _shared = true;

    /// <summary>Counts one request of a token (expiring at <paramref name="exp"/>); true when it goes over the threshold in the current window.</summary>
    public bool Exceeded(UserKey user, string tokenId, long exp)
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

            if (_shared && (window.Unflushed > 0 || TryQueue(user, tokenId, window)))
            {
                window.Unflushed++;
                window.Expires = exp;
            }

            return ++window.Count > _options.Threshold;
        }
    }

    /// <summary>The uses counted since the last call, per token (for the merge into the shared store).</summary>
    public List<UnflushedUses> TakeUnflushed()
    {
        var taken = new List<UnflushedUses>();
        while (_unflushed.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref _unflushedCount);
            int uses;
            long exp;
            lock (pending.Window)
            {
                uses = pending.Window.Unflushed;
                exp = pending.Window.Expires;
                pending.Window.Unflushed = 0;
            }

            if (uses > 0)
            {
                taken.Add(new UnflushedUses(pending.User, pending.TokenId, uses, exp));
            }
        }

        return taken;
    }

    private bool TryQueue(UserKey user, string tokenId, Window window)
    {
        if (Interlocked.Increment(ref _unflushedCount) > _options.MaxTrackedTokens)
        {
            Interlocked.Decrement(ref _unflushedCount);
            return false;
        }

        _unflushed.Enqueue(new Pending(user, tokenId, window));
        return true;
    }

    /// <summary>Uses of one token on this instance not yet merged into the shared store.</summary>
    internal readonly record struct UnflushedUses(UserKey User, string TokenId, int Uses, long Expires);

    private readonly record struct Pending(UserKey User, string TokenId, Window Window);

    private sealed class Window
    {
        public long Start = long.MinValue / 2;
        public int Count;
        public int Unflushed;
        public long Expires;
    }
}
