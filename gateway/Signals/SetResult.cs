namespace Gateway.Signals;

/// <summary>The verification of one SET: the token, or an RFC 8935 §2.3 error code and description.</summary>
internal sealed record SetResult(SecurityEventToken? Token, string? Error, string? Description)
{
    /// <summary>Not an RFC 8935 code: the transmitter's keys are not in hand; the SET is to be retried (503, not acknowledged).</summary>
    public const string KeysUnavailable = "temporarily_unavailable";

    public static SetResult Ok(SecurityEventToken token) => new(token, null, null);

    public static SetResult Fail(string error, string description) => new(null, error, description);
}
