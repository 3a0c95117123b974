using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Health;

/// <summary>Set once the host has been told to stop; <see cref="ShutdownHealthCheck"/> reports it.</summary>
internal sealed class ShutdownState
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    public void MarkStopping() => _stopping = true;
}

/// <summary>
/// The stop sequence around Kestrel's own drain: on the stop signal readiness turns 503 and, for
/// <see cref="ShutdownOptions.Delay"/>, the listeners keep serving; Kestrel then stops accepting and lets in-flight
/// requests finish within <see cref="ShutdownOptions.Timeout"/> (the host's shutdown timeout); once every hosted
/// service has stopped, the Redis connection is closed, letting queued commands complete.
/// </summary>
internal sealed partial class GracefulShutdown : IHostedLifecycleService
{
    private readonly ShutdownState _state;
    private readonly ShutdownOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GracefulShutdown> _logger;
    private readonly IConnectionMultiplexer? _redis;
    private readonly IHostApplicationLifetime _lifetime;
    private CancellationTokenRegistration _stopping;

    public GracefulShutdown(ShutdownState state, IOptions<ShutdownOptions> options, TimeProvider time, IServiceProvider services, IHostApplicationLifetime lifetime,
        ILogger<GracefulShutdown> logger)
    {
        _state = state;
        _lifetime = lifetime;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Registered only when Gateway:Redis:Configuration is set.
        _redis = services.GetService<IConnectionMultiplexer>();
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _state.MarkStopping();
        Log.Stopping(_logger, _options.Delay, _options.Timeout);
        if (_options.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_options.Delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync();
        if (_redis is null)
        {
            return;
        }

        try
        {
            await _redis.CloseAsync(allowCommandsToComplete: true);
            Log.RedisClosed(_logger);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.RedisCloseFailed(_logger, ex.GetType().Name);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The stop signal, as early as it is known (the host calls StoppingAsync a moment later).
        _stopping = _lifetime.ApplicationStopping.Register(_state.MarkStopping);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.Stopping, Level = LogLevel.Information, Message = "Stopping: readiness now fails; serving for {Delay} more, then draining in-flight requests for at most {Timeout}")]
        public static partial void Stopping(ILogger logger, TimeSpan delay, TimeSpan timeout);

        [LoggerMessage(EventId = LogEvents.RedisClosed, Level = LogLevel.Information, Message = "Closed the Redis connection")]
        public static partial void RedisClosed(ILogger logger);

        [LoggerMessage(EventId = LogEvents.RedisCloseFailed, Level = LogLevel.Warning, Message = "Closing the Redis connection failed ({ErrorType})")]
        public static partial void RedisCloseFailed(ILogger logger, string errorType);
    }
}
