using System.Text.Json;

namespace Gateway.Signals;

/// <summary>One event of a verified SET: its type URI, its body, and the SET's top-level <c>sub_id</c>, if any.</summary>
internal sealed record SecurityEvent(string Type, JsonElement Body, JsonElement? SubjectId);
