namespace Gateway.Admin;

/// <summary>One admin action as the console's audit trail shows it (values, not pseudonyms: the console needs an admin key).</summary>
internal sealed record AuditEntry(DateTimeOffset At, string KeyId, string Action, string? Issuer, string? Sub, string? Sid, string? Jti, string Outcome);
