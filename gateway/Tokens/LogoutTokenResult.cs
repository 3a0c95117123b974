namespace Gateway.Tokens;

/// <summary>A verified logout token, or why it was refused (a sentence for the provider's <c>error_description</c>).</summary>
public readonly record struct LogoutTokenResult(LogoutToken? Token, string? Error, string? Reason)
{
    public static LogoutTokenResult Ok(LogoutToken token) => new(token, null, null);

    /// <param name="reason">A short code for logs and metrics.</param>
    /// <param name="error">What the provider is told.</param>
    public static LogoutTokenResult Fail(string reason, string error) => new(null, error, reason);
}
