namespace Gateway.Admin;

/// <summary>The admin listener, section <c>Gateway:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Gateway:Admin";

    /// <summary>Admin listener URL(s), separated by ';'. Default <c>http://127.0.0.1:8081</c>.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8081";

    /// <summary>Accepted values of the <c>X-Api-Key</c> header. Set them through environment variables, never in config files.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Largest admin request body in bytes. Default 16384.</summary>
    public long MaxBodySize { get; set; } = 16 * 1024;
}
