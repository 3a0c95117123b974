using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tokens;

/// <summary>Turns a configuration section back into JSON: numeric child keys become arrays, leaves strings.</summary>
internal static class ConfigurationJson
{
    public static string Serialize(IConfigurationSection section) => ToNode(section)?.ToJsonString() ?? "null";

    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : JsonValue.Create(section.Value);
        }

        if (children.All(c => int.TryParse(c.Key, out _)))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)))
            {
                array.Add(ToNode(child));
            }

            return array;
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = ToNode(child);
        }

        return obj;
    }
}
