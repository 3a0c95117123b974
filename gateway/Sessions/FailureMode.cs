namespace Gateway.Sessions;

/// <summary>What a request gets when its session state cannot be established.</summary>
public enum FailureMode
{
    /// <summary>Refuse with 503 and <c>Retry-After</c> (reason <c>session_store_unavailable</c>).</summary>
    Closed,

    /// <summary>Judge on the last known state, for at most <c>Gateway:Sessions:MaxStaleness</c>; else as Closed.</summary>
    Open,
}
