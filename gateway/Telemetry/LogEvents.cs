namespace Gateway.Telemetry;

/// <summary>
/// Every log event id, named, in one place: operators alert on these numbers, so they never change meaning.
/// Thousands group the feature: 1xxx tokens, 2xxx gate, 3xxx sessions and Redis, 4xxx admin, 5xxx identity-provider
/// signals, 6xxx operations.
/// </summary>
internal static class LogEvents
{
    public const int DevelopmentIgnored = 1001;
    public const int DevelopmentIssuerTrusted = 1002;
    public const int KeysLoaded = 1101;
    public const int JwksFetchFailed = 1102;
    public const int JwksKeySkipped = 1103;
    public const int KeysWithdrawn = 1104;
    public const int ValidationThrew = 1201;

    public const int Refused = 2001;
    public const int Unavailable = 2002;
    public const int ConnectionClosed = 2101;
    public const int ConnectionRejudgeDeferred = 2102;
    public const int ConnectionRejudgeFailed = 2103;
    public const int ConnectionLimitReached = 2104;

    public const int RateSpikeRevoked = 3001;
    public const int StaleServed = 3002;
    public const int RateSpikeFlushFailed = 3003;
    public const int InventoryWriteFailed = 3004;
    public const int EmbeddedStore = 3101;
    public const int RedisCallFailed = 3201;
    public const int RedisDataLost = 3301;
    public const int RedisFirstStart = 3302;
    public const int RedisEpochChanged = 3303;
    public const int RedisMastersMarked = 3304;
    public const int RedisConnectionLost = 3401;
    public const int RevocationsSubscribed = 3402;
    public const int ResyncFailed = 3403;
    public const int EpochCheckFailed = 3404;
    public const int ReplicaLoaded = 3405;
    public const int JournalTornTail = 3502;
    public const int JournalCompacted = 3503;
    public const int JournalCompactionFailed = 3504;
    public const int JournalFaulted = 3505;
    public const int RulesLoaded = 3601;
    public const int RulesLoadFailed = 3602;

    public const int AdminAudit = 4001;
    public const int AdminNoKeys = 4002;
    public const int ConsoleSignIn = 4101;
    public const int ConsoleSignInFailed = 4102;

    public const int LogoutApplied = 5001;
    public const int LogoutRefused = 5002;
    public const int SignalHandled = 5101;
    public const int SignalRefused = 5102;
    public const int SignalPollFailed = 5103;

    public const int RefusalSummary = 6001;
    public const int Stopping = 6101;
    public const int RedisClosed = 6102;
    public const int RedisCloseFailed = 6103;
}
