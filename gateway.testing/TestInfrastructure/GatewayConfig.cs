using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>
/// A gateway configuration file under construction: plain JSON (so tests can write anything, invalid values
/// included) with helpers for issuers, routes and clusters. <see cref="GatewayHost"/> fills in the listener URLs.
/// </summary>
public sealed class GatewayConfig
{
    public const string ClusterId = "backend";

    public GatewayConfig()
        : this(new JsonObject())
    {
    }

    private GatewayConfig(JsonObject root)
    {
        Root = root;
    }

    /// <summary>The whole document; edit freely.</summary>
    public JsonObject Root { get; }

    /// <summary>
    /// The common case: one issuer (<see cref="TokenFactory.Issuer"/>, audience <see cref="TokenFactory.Audience"/>,
    /// ES256/RS256/PS256) whose keys come from <paramref name="jwksUri"/>, a protected route <c>api</c> on
    /// <c>/api/{**rest}</c>, an anonymous route <c>public</c> on <c>/public/{**rest}</c>, both to <paramref name="backendUrl"/>.
    /// </summary>
    public static GatewayConfig Standard(string jwksUri, string backendUrl) =>
        new GatewayConfig()
            .AddIssuer(TokenFactory.Issuer, [TokenFactory.Audience], ["ES256", "RS256", "PS256"], jwksUri: jwksUri)
            .AddRoute("api", "/api/{**rest}")
            .AddRoute("public", "/public/{**rest}", policy: "anonymous")
            .AddCluster(ClusterId, backendUrl);

    /// <summary>Like <see cref="Standard"/>, with the keys inline (<c>Jwks</c>) rather than fetched.</summary>
    public static GatewayConfig StandardInline(string jwks, string backendUrl) =>
        new GatewayConfig()
            .AddIssuer(TokenFactory.Issuer, [TokenFactory.Audience], ["ES256", "RS256", "PS256"], jwks: jwks)
            .AddRoute("api", "/api/{**rest}")
            .AddRoute("public", "/public/{**rest}", policy: "anonymous")
            .AddCluster(ClusterId, backendUrl);

    public GatewayConfig Clone() => new(Root.DeepClone().AsObject());

    /// <summary>Sets a value by configuration path (<c>Gateway:Tokens:ClockSkew</c>); null removes it.</summary>
    public GatewayConfig Set(string path, JsonNode? value)
    {
        var parts = path.Split(':');
        var node = Root;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }

            node = child;
        }

        if (value is null)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }

        return this;
    }

    /// <summary>The value at a configuration path, or null.</summary>
    public JsonNode? Get(string path)
    {
        JsonNode? node = Root;
        foreach (var part in path.Split(':'))
        {
            node = node is JsonObject obj ? obj[part] : node is JsonArray array && int.TryParse(part, out var i) && i < array.Count ? array[i] : null;
        }

        return node;
    }

    public GatewayConfig AddIssuer(
        string issuer,
        IEnumerable<string> audiences,
        IEnumerable<string> algorithms,
        string? jwksUri = null,
        string? jwks = null,
        IEnumerable<string>? validTypes = null,
        TimeSpan? refetchCooldown = null)
    {
        var entry = new JsonObject
        {
            ["Issuer"] = issuer,
            ["Audiences"] = ToArray(audiences),
            ["Algorithms"] = ToArray(algorithms),
        };
        if (jwksUri is not null)
        {
            entry["JwksUri"] = jwksUri;
        }

        if (jwks is not null)
        {
            entry["Jwks"] = jwks;
        }

        if (validTypes is not null)
        {
            entry["ValidTypes"] = ToArray(validTypes);
        }

        if (refetchCooldown is { } cooldown)
        {
            entry["JwksRefetchCooldown"] = cooldown.ToString("c");
        }

        Issuers().Add(entry);
        return this;
    }

    /// <summary>The issuer entry at <paramref name="index"/> of <c>Gateway:Tokens:Issuers</c>, for tweaks.</summary>
    public JsonObject Issuer(int index = 0) => Issuers()[index]!.AsObject();

    public GatewayConfig AddRoute(string id, string path, string? policy = null, IReadOnlyDictionary<string, string>? metadata = null, string cluster = ClusterId)
    {
        var route = new JsonObject
        {
            ["ClusterId"] = cluster,
            ["Match"] = new JsonObject { ["Path"] = path },
        };
        if (policy is not null)
        {
            route["AuthorizationPolicy"] = policy;
        }

        if (metadata is not null)
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }

            route["Metadata"] = meta;
        }

        Section("ReverseProxy", "Routes")[id] = route;
        return this;
    }

    public GatewayConfig RemoveRoute(string id)
    {
        Section("ReverseProxy", "Routes").Remove(id);
        return this;
    }

    public GatewayConfig AddCluster(string id, string address)
    {
        Section("ReverseProxy", "Clusters")[id] = new JsonObject
        {
            ["Destinations"] = new JsonObject { ["d1"] = new JsonObject { ["Address"] = address } },
        };
        return this;
    }

    /// <summary>
    /// Redis on, with a generous <c>Gateway:Redis:Timeout</c> (2 s) unless given: on a loaded 2-core CI machine a
    /// healthy Redis can answer later than the 250 ms production default. Fault tests pass their own timeout.
    /// </summary>
    public GatewayConfig WithRedis(string configuration, TimeSpan? timeout = null) =>
        Set("Gateway:Redis:Configuration", configuration)
            .Set("Gateway:Redis:Timeout", (timeout ?? TimeSpan.FromSeconds(2)).ToString("c", System.Globalization.CultureInfo.InvariantCulture));

    public GatewayConfig WithAdminApiKeys(params string[] keys) => Set("Gateway:Admin:ApiKeys", ToArray(keys));

    public string ToJson() => Root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public override string ToString() => ToJson();

    private JsonArray Issuers()
    {
        var tokens = Section("Gateway", "Tokens");
        if (tokens["Issuers"] is not JsonArray issuers)
        {
            issuers = [];
            tokens["Issuers"] = issuers;
        }

        return issuers;
    }

    private JsonObject Section(params string[] path)
    {
        var node = Root;
        foreach (var part in path)
        {
            if (node[part] is not JsonObject child)
            {
                child = new JsonObject();
                node[part] = child;
            }

            node = child;
        }

        return node;
    }

    private static JsonArray ToArray(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (var value in values)
        {
            array.Add(value);
        }

        return array;
    }
}
