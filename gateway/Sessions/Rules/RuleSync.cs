using Gateway.Sessions.Redis;
using Gateway.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions.Rules;

/// <summary>
/// Keeps <see cref="RevocationRules"/> holding every rule of the store: loads them at start, reloads them when a
/// <c>rule</c> event arrives on <c>gw:revocations</c> (Redis) and after a reconnect, and reconciles every
/// <see cref="RuleOptions.ReconcileInterval"/> (which also drops rules that are over). A failed load keeps the
/// rules in hand.
/// </summary>
internal sealed partial class RuleSync : BackgroundService
{
    private readonly IRuleStore _store;
    private readonly RevocationRules _rules;
    private readonly TimeProvider _time;
    private readonly RuleOptions _options;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisKeys? _keys;
    private readonly ILogger<RuleSync> _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private int _pending;
    private int _subscribed;
    private int _subscribing;

    public RuleSync(IRuleStore store, RevocationRules rules, TimeProvider time, IOptions<RuleOptions> options, IServiceProvider services, ILogger<RuleSync> logger)
    {
        _store = store;
        _rules = rules;
        _time = time;
        _options = options.Value;
        _redis = services.GetService<IConnectionMultiplexer>();
        _keys = services.GetService<RedisKeys>();
        _logger = logger;
    }

    /// <summary>True once the store's rules were loaded at least once.</summary>
    public bool Loaded { get; private set; }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is not null)
        {
            _redis.ConnectionRestored += OnConnectionRestored;
        }

        await EnsureSubscribedAsync();
        await ReloadAsync();
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_redis is not null)
        {
            _redis.ConnectionRestored -= OnConnectionRestored;
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _loading.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Until the first load succeeds, retry every second; then every ReconcileInterval.
        var interval = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Loaded ? _options.ReconcileInterval : interval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _rules.DropExpired(Now);
            await EnsureSubscribedAsync();
            await ReloadAsync();
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _ = RestoreAsync();

    private async Task RestoreAsync()
    {
        await EnsureSubscribedAsync();
        await ReloadAsync();
    }

    // Once subscribed, the multiplexer resubscribes by itself after a reconnect; a subscription that failed (Redis down
    // at start) is tried again on every tick and reconnect.
    private async Task EnsureSubscribedAsync()
    {
        if (_redis is null || _keys is null || Volatile.Read(ref _subscribed) == 1 || Interlocked.Exchange(ref _subscribing, 1) == 1)
        {
            return;
        }

        try
        {
            var channel = await _redis.GetSubscriber().SubscribeAsync(_keys.Channel);
            channel.OnMessage(message =>
            {
                if (RevocationEvent.TryParse(message.Message) is { Kind: RevocationEvent.RuleKind })
                {
                    _ = ReloadAsync();
                }
            });
            Volatile.Write(ref _subscribed, 1);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The periodic reconcile still brings rules in meanwhile.
            Log.LoadFailed(_logger, ex.GetType().Name);
        }
        finally
        {
            Volatile.Write(ref _subscribing, 0);
        }
    }

    /// <summary>Reloads every rule; a reload asked for while one runs runs once more after it.</summary>
    public async Task ReloadAsync()
    {
        Interlocked.Exchange(ref _pending, 1);
        if (!await _loading.WaitAsync(0))
        {
            return;
        }

        try
        {
            while (Interlocked.Exchange(ref _pending, 0) == 1)
            {
                var now = Now;
                var rules = await _store.LoadAsync(now, CancellationToken.None);
                _rules.Merge(rules, now);
                if (!Loaded)
                {
                    Loaded = true;
                    Log.Loaded(_logger, rules.Count);
                }
            }
        }
        catch (SessionStoreUnavailableException ex)
        {
            Log.LoadFailed(_logger, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
        finally
        {
            try
            {
                _loading.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.RulesLoaded, Level = LogLevel.Information, Message = "Revocation rules loaded: {Count} in force")]
        public static partial void Loaded(ILogger logger, int count);

        [LoggerMessage(EventId = LogEvents.RulesLoadFailed, Level = LogLevel.Warning, Message = "Revocation rules could not be loaded ({ErrorType}); the rules in hand stay in force, retrying")]
        public static partial void LoadFailed(ILogger logger, string errorType);
    }
}
