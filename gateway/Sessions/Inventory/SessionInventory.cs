using System.Threading.Channels;
using Gateway.Caching;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Inventory;

/// <summary>
/// Feeds the per-user session inventory from the hot path without writing per request: a bounded local map remembers,
/// per (user, sid), the resolution period and the newest <c>iat</c> last written; only a new period or a newer token
/// queues a write. Writes go through a bounded queue to one background writer, so a request never waits for one
/// (a full queue drops the sighting: the next period writes it again).
/// </summary>
internal sealed partial class SessionInventory : BackgroundService
{
    private readonly ISessionStore _store;
    private readonly InventoryOptions _options;
    private readonly TimeSpan _idleTimeout;
    private readonly long _resolution;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<SessionInventory> _logger;
    private readonly GenerationalMap<(UserKey User, string Sid), Mark> _marks;
    private readonly Channel<(UserKey User, SessionSighting Sighting)> _queue;
    private int _pending;

    public SessionInventory(ISessionStore store, IOptions<SessionOptions> options, GatewayMetrics metrics, ILogger<SessionInventory> logger)
    {
        _store = store;
        _options = options.Value.Inventory;
        _idleTimeout = options.Value.IdleTimeout;
        _resolution = Math.Max(1, (long)_options.Resolution.TotalSeconds);
        _metrics = metrics;
        _logger = logger;
        _marks = new GenerationalMap<(UserKey, string), Mark>(_options.MaxTracked);
        _queue = Channel.CreateBounded<(UserKey, SessionSighting)>(new BoundedChannelOptions(_options.QueueSize)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Writes queued but not yet made (tests and the cost measurement wait for zero).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>A request of this token passed: note its session (no store call here).</summary>
    public void Saw(VerifiedToken token, HttpContext context, long now)
    {
        if (!_options.Enabled || token.SessionId is not { } sid)
        {
            return;
        }

        var period = now / _resolution;
        var key = (token.User, sid);
        if (_marks.TryGetValue(key, out var mark, promote: true) && mark.Period == period && mark.NewestIat >= token.IssuedAt)
        {
            return;
        }

        // Two requests racing here may both queue a write; the store merges them (min/max), so that costs one write.
        _marks.Set(key, new Mark(period, Math.Max(token.IssuedAt, mark.NewestIat)));
        var sighting = new SessionSighting(sid, token.ClientId, period * _resolution, token.IssuedAt, token.AuthTime,
            _options.UserAgentHint ? ClientHints.Agent(context.Request.Headers.UserAgent) : null,
            _options.AddressHint ? ClientHints.Address(context.Connection.RemoteIpAddress) : null);
        Interlocked.Increment(ref _pending);
        if (_queue.Writer.TryWrite((token.User, sighting)))
        {
            _metrics.InventoryWrite("queued");
        }
        else
        {
            // Forget the mark so the next request tries again.
            Interlocked.Decrement(ref _pending);
            _marks.Remove(key);
            _metrics.InventoryWrite("dropped");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (user, sighting) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _store.RecordSessionSeenAsync(user, sighting, _idleTimeout, stoppingToken);
                    _metrics.InventoryWrite("written");
                }
                catch (SessionStoreUnavailableException)
                {
                    _marks.Remove((user, sighting.Sid));
                    _metrics.InventoryWrite("failed");
                    Log.WriteFailed(_logger);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // A value in the map's node, not an object of its own (one per tracked session); default (not found) has NewestIat 0.
    private readonly record struct Mark(long Period, long NewestIat);

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.InventoryWriteFailed, Level = LogLevel.Debug, Message = "A session inventory write failed: the session store is unreachable (retried at the next sighting)")]
        public static partial void WriteFailed(ILogger logger);
    }
}
