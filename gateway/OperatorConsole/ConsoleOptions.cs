namespace Gateway.OperatorConsole;

/// <summary>The operator console on the admin listener, section <c>Gateway:Admin:Console</c>.</summary>
public sealed class ConsoleOptions
{
    public const string SectionName = "Gateway:Admin:Console";

    /// <summary>Serve <c>/console</c> on the admin listener. Default true (it needs an admin API key to sign in).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A console session ends after this long without a request. Default 15 minutes.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A console session ends this long after sign-in, however busy. Default 8 hours.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Console sessions held at once; the oldest is ended for a new one. Default 100.</summary>
    public int MaxSessions { get; set; } = 100;
}
