using Gateway.Sessions;

namespace Gateway.Signals;

/// <summary>Whom an event names: a user of a configured issuer and, for a session event, the session.</summary>
internal readonly record struct SignalSubject(UserKey User, string? SessionId);
