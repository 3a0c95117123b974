namespace Gateway.Sessions;

/// <summary>A user's state as the admin API shows it.</summary>
public sealed record UserState(string Sub, long Version, long? Cutoff, string? ActiveSession);
