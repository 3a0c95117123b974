namespace Gateway.OperatorConsole;

/// <summary>A signed-in console session: the admin key's id (never the key), its CSRF token, and its expiry.</summary>
internal sealed class ConsoleSession(string id, string keyId, string csrf, DateTimeOffset created)
{
    public string Id { get; } = id;

    public string KeyId { get; } = keyId;

    /// <summary>The synchronizer token every form of this session carries.</summary>
    public string Csrf { get; } = csrf;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastUsed { get; set; } = created;
}
