using System.Diagnostics;
using Gateway.Telemetry;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// How every Redis call is made: capped at <see cref="RedisCallCap"/>, timed into <c>gateway.redis.duration</c>, and
/// any Redis failure turned into <see cref="SessionStoreUnavailableException"/> (a 503 upstream), logged once.
/// </summary>
internal sealed partial class RedisCalls
{
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cap;
    private readonly ILogger _logger;

    public RedisCalls(IConnectionMultiplexer redis, GatewayMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _time = time;
        // Gateway:Redis:Timeout, as configured on the multiplexer (RedisServiceCollectionExtensions).
        _cap = RedisCallCap.ForMilliseconds(redis.TimeoutMilliseconds);
        _logger = logger;
    }

    public async Task<T> RunAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().WaitAsync(_cap, _time);
            _metrics.RedisCall(operation, Stopwatch.GetElapsedTime(started), failed: false);
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            _metrics.RedisCall(operation, Stopwatch.GetElapsedTime(started), failed: true);
            Log.CallFailed(_logger, operation, ex.GetType().Name);
            throw new SessionStoreUnavailableException($"Redis {operation} failed: {ex.GetType().Name}", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RedisCallFailed, Level = LogLevel.Warning, Message = "Redis {Operation} failed ({ErrorType})")]
        public static partial void CallFailed(ILogger logger, string operation, string errorType);
    }
}
