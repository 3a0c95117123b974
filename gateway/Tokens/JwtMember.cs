using System.Text.Json;

namespace Gateway.Tokens;

/// <summary>One top-level member of a token's header or payload: its name, JSON type and the place of its value's JSON text.</summary>
internal readonly record struct JwtMember(string Name, JsonTokenType Kind, int Start, int Length);
