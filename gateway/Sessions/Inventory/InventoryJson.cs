using System.Text.Json;

namespace Gateway.Sessions.Inventory;

/// <summary>
/// One inventory record as the Redis store keeps it: <c>{"f":first seen,"l":last seen,"i":newest iat,"fi":first iat,
/// "a":auth_time,"c":client,"u":agent hint,"p":address hint}</c>, written by the store's Lua script.
/// </summary>
internal static class InventoryJson
{
    public static SessionRecord? Parse(string sid, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new SessionRecord(sid, Text(root, "c"), Number(root, "f") ?? 0, Number(root, "l") ?? 0, Number(root, "i") ?? 0, Number(root, "fi") ?? 0,
                Number(root, "a"), Text(root, "u"), Text(root, "p"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) ? (long)d : null;

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
