using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>How an <see cref="OidcProvider"/> starts (override <see cref="OidcProvider.Configure"/> to change it).</summary>
public sealed class OidcProviderOptions
{
    /// <summary>Clients known from the start; more can be added later with <see cref="OidcProvider.RegisterClientAsync"/>.</summary>
    public List<OidcClient> Clients { get; } =
    [
        new(OidcProvider.Es256Client, "secret-" + OidcProvider.Es256Client) { IdTokenSignedResponseAlg = "ES256" },
        new(OidcProvider.Rs256Client, "secret-" + OidcProvider.Rs256Client) { IdTokenSignedResponseAlg = "RS256" },
        new(OidcProvider.Ps256Client, "secret-" + OidcProvider.Ps256Client) { IdTokenSignedResponseAlg = "PS256" },
    ];

    /// <summary>Resource servers; the first is the default resource. Default: <see cref="OidcProvider.DefaultResource"/>, ES256.</summary>
    public List<OidcResource> Resources { get; } = [new(OidcProvider.DefaultResource, "api:read api:write")];

    /// <summary>True (default): user access tokens carry the session's <c>sid</c> (oidc-provider's <c>extraTokenClaims</c>).</summary>
    public bool AccessTokenSid { get; set; } = true;

    /// <summary>True (default): DPoP proofs must carry a server nonce, so every DPoP grant goes through <c>use_dpop_nonce</c> once.</summary>
    public bool DpopRequireNonce { get; set; } = true;

    /// <summary>The signing keys generated at start (one per algorithm), and again at each key rotation.</summary>
    public List<string> SigningAlgorithms { get; } = ["ES256", "RS256", "PS256"];

    /// <summary>The JSON <c>server.mjs</c> takes.</summary>
    public JsonObject ToJson()
    {
        var clients = new JsonArray();
        foreach (var client in Clients)
        {
            clients.Add(client.ToMetadata());
        }

        var resources = new JsonArray();
        foreach (var resource in Resources)
        {
            resources.Add(resource.ToJson());
        }

        var algs = new JsonArray();
        foreach (var alg in SigningAlgorithms)
        {
            algs.Add(alg);
        }

        return new JsonObject
        {
            ["port"] = 0,
            ["clients"] = clients,
            ["resources"] = resources,
            ["accessTokenSid"] = AccessTokenSid,
            ["dpopRequireNonce"] = DpopRequireNonce,
            ["signingAlgs"] = algs,
        };
    }
}
