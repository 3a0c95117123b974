using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>
/// A resource server (RFC 8707 resource indicator) at the <see cref="OidcProvider"/>: access tokens requested for it are
/// JWTs (<c>typ: at+jwt</c>) with <c>aud</c> = <see cref="Audience"/> (default: the indicator), signed with <see cref="Alg"/>,
/// carrying only the requested scopes that are among <see cref="Scope"/>.
/// </summary>
public sealed record OidcResource(string Indicator, string Scope)
{
    public string? Audience { get; init; }

    public string Alg { get; init; } = "ES256";

    /// <summary>Access token lifetime; null: the provider's default (5 minutes here).</summary>
    public TimeSpan? AccessTokenLifetime { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["indicator"] = Indicator, ["scope"] = Scope, ["alg"] = Alg };
        if (Audience is not null)
        {
            json["audience"] = Audience;
        }

        if (AccessTokenLifetime is { } lifetime)
        {
            json["accessTokenTtl"] = (long)lifetime.TotalSeconds;
        }

        return json;
    }
}
