namespace Gateway.Telemetry;

/// <summary>Refusals of one reason on one route within one minute.</summary>
public sealed record RefusalCount(DateTimeOffset Minute, string Route, string Reason, long Count);
