namespace Gateway.Signals;

/// <summary>A verified Security Event Token (RFC 8417): who sent it, its <c>jti</c> and <c>iat</c>, and its events.</summary>
internal sealed record SecurityEventToken(Transmitter Transmitter, string Jti, long IssuedAt, IReadOnlyList<SecurityEvent> Events);
