using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.OperatorConsole;

/// <summary>A pasted token's header and claims, decoded for display; the signature is never decoded or shown.</summary>
internal sealed record TokenParts(string Header, string Claims)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static TokenParts? TryDecode(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        return Pretty(parts[0]) is { } header && Pretty(parts[1]) is { } claims ? new TokenParts(header, claims) : null;
    }

    private static string? Pretty(string segment)
    {
        try
        {
            var bytes = Base64Url.DecodeFromChars(segment);
            var node = JsonNode.Parse(bytes);
            return node is JsonObject ? node.ToJsonString(Indented) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
