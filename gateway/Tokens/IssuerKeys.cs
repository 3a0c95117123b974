using Gateway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Gateway.Tokens;

/// <summary>
/// The live key set of one issuer: inline, or fetched from its JWKS URI, refreshed periodically and on an unknown
/// <c>kid</c> (at most once per cool-down). A failed fetch keeps the last good set.
/// </summary>
internal sealed partial class IssuerKeys
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile KeySet _current = KeySet.Empty;
    private string? _document;
    private Task? _inFlight;
    private long _lastAttemptTimestamp = long.MinValue;

    public IssuerKeys(IssuerOptions options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger logger)
    {
        Options = options;
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
        if (options.Jwks is { Length: > 0 } inline)
        {
            _current = KeySet.Parse(inline, time.GetUtcNow());
            Announce(KeySet.Empty, _current);
        }
    }

    public IssuerOptions Options { get; }

    public string Issuer => Options.Issuer!;

    public KeySet Current => _current;

    public bool IsRemote => !string.IsNullOrEmpty(Options.JwksUri);

    /// <summary>True once a key set is in hand (inline, or fetched at least once).</summary>
    public bool IsLoaded => _current.Count > 0;

    /// <summary>Fetches now unless a fetch is already running; never throws.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!IsRemote)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            _lastAttemptTimestamp = _time.GetTimestamp();
            // Task.Run: the fetch's own finally takes the lock, so it can only clear _inFlight after it is set.
            return _inFlight ??= Task.Run(() => FetchAsync(cancellationToken), CancellationToken.None);
        }
    }

    /// <summary>An unknown kid may mean the issuer rotated keys: refetch, but at most once per cool-down.</summary>
    public async ValueTask<KeySet> RefreshForUnknownKidAsync(CancellationToken cancellationToken)
    {
        if (!IsRemote)
        {
            return _current;
        }

        Task fetch;
        lock (_gate)
        {
            if (_inFlight is null)
            {
                var sinceLast = _lastAttemptTimestamp == long.MinValue
                    ? TimeSpan.MaxValue
                    : _time.GetElapsedTime(_lastAttemptTimestamp);
                if (sinceLast < Options.JwksRefetchCooldown)
                {
                    return _current;
                }

                _lastAttemptTimestamp = _time.GetTimestamp();
                _inFlight = Task.Run(() => FetchAsync(CancellationToken.None), CancellationToken.None);
            }

            fetch = _inFlight;
        }

        await fetch.WaitAsync(cancellationToken);
        return _current;
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = _httpClientFactory.CreateClient(TokensServiceCollectionExtensions.JwksHttpClientName);
            using var response = await client.GetAsync(new Uri(Options.JwksUri!), cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.Equals(json, _document, StringComparison.Ordinal))
            {
                // The same document: the same set, so every token verified under it keeps its one-compare cache hit
                // (a new set would make each of them look its key up again on every request).
                Problem = SkippedKeys(_current);
                return;
            }

            var set = KeySet.Parse(json, _time.GetUtcNow());
            var previous = _current;
            _current = set;
            _document = json;
            Announce(previous, set);
        }
        catch (Exception ex) when (ex is HttpRequestException or FormatException or TaskCanceledException or OperationCanceledException)
        {
            Problem = $"the last JWKS fetch failed ({ex.GetType().Name}: {ex.Message})";
            Log.JwksFetchFailed(_logger, Issuer, ex.GetType().Name, ex.Message, _current.Count);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = null;
            }
        }
    }

    /// <summary>What the last fetch or parse said, for readiness: null when keys are in hand and nothing was skipped.</summary>
    public string? Problem { get; private set; }

    private readonly HashSet<string> _skippedLogged = new(StringComparer.Ordinal);

    private void Announce(KeySet previous, KeySet set)
    {
        Log.JwksLoaded(_logger, Issuer, set.Count);
        foreach (var skipped in set.Skipped)
        {
            // Once per key: a provider that always publishes an Ed25519 key must not fill the log at every refresh.
            lock (_skippedLogged)
            {
                if (_skippedLogged.Add(skipped))
                {
                    Log.KeySkipped(_logger, Issuer, skipped);
                }
            }
        }

        var withdrawn = previous.Count == 0 ? 0 : previous.All.Count(k => !set.Contains(k));
        if (withdrawn > 0)
        {
            Log.KeysWithdrawn(_logger, Issuer, withdrawn);
        }

        Problem = SkippedKeys(set);
    }

    private static string? SkippedKeys(KeySet set) =>
        set.Skipped.Count > 0 ? $"{set.Skipped.Count} JWKS key(s) skipped: {string.Join("; ", set.Skipped)}" : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.JwksKeySkipped, Level = LogLevel.Warning, Message = "Issuer {Issuer}: skipped a JWKS key the gateway cannot use, {Detail}; the other keys are used")]
        public static partial void KeySkipped(ILogger logger, string issuer, string detail);

        [LoggerMessage(EventId = LogEvents.KeysWithdrawn, Level = LogLevel.Warning, Message = "Issuer {Issuer}: {Count} key(s) left the JWKS; tokens they signed are refused from now on, also those verified before")]
        public static partial void KeysWithdrawn(ILogger logger, string issuer, int count);

        [LoggerMessage(EventId = LogEvents.KeysLoaded, Level = LogLevel.Information, Message = "Loaded {KeyCount} signing keys for issuer {Issuer}")]
        public static partial void JwksLoaded(ILogger logger, string issuer, int keyCount);

        [LoggerMessage(EventId = LogEvents.JwksFetchFailed, Level = LogLevel.Warning, Message = "JWKS fetch for issuer {Issuer} failed ({ErrorType}: {Error}); keeping the last good set of {KeyCount} keys")]
        public static partial void JwksFetchFailed(ILogger logger, string issuer, string errorType, string error, int keyCount);
    }
}
