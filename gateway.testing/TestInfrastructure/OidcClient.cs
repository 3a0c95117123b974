using System.Text.Json.Nodes;

namespace Gateway.Testing;

/// <summary>
/// A client registered at the <see cref="OidcProvider"/>: confidential (<c>client_secret_basic</c>), allowed the
/// authorization code, refresh token and client credentials grants. Its <c>id_token_signed_response_alg</c> also signs
/// its back-channel logout tokens.
/// </summary>
public sealed record OidcClient(string ClientId, string Secret)
{
    /// <summary>Where the authorization code goes. Nothing needs to listen there: the fixture reads the redirect.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = ["http://127.0.0.1/callback"];

    public string IdTokenSignedResponseAlg { get; init; } = "ES256";

    /// <summary>Where the provider POSTs back-channel logout tokens for this client; null: none.</summary>
    public string? BackchannelLogoutUri { get; init; }

    /// <summary>True: logout tokens (and ID tokens) carry <c>sid</c>. oidc-provider only puts <c>sid</c> in them when this is set.</summary>
    public bool BackchannelLogoutSessionRequired { get; init; } = true;

    /// <summary>The client metadata oidc-provider takes (snake_case).</summary>
    public JsonObject ToMetadata()
    {
        var redirects = new JsonArray();
        foreach (var uri in RedirectUris)
        {
            redirects.Add(uri);
        }

        var metadata = new JsonObject
        {
            ["client_id"] = ClientId,
            ["client_secret"] = Secret,
            ["redirect_uris"] = redirects,
            ["id_token_signed_response_alg"] = IdTokenSignedResponseAlg,
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token", "client_credentials"),
            ["response_types"] = new JsonArray("code"),
            ["token_endpoint_auth_method"] = "client_secret_basic",
        };
        if (BackchannelLogoutUri is not null)
        {
            metadata["backchannel_logout_uri"] = BackchannelLogoutUri;
            metadata["backchannel_logout_session_required"] = BackchannelLogoutSessionRequired;
        }

        return metadata;
    }
}
