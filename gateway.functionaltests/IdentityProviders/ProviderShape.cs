using System.Text.Json.Nodes;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// One identity provider's documented access-token shape and the issuer entry README tells users to paste for it.
/// <see cref="ProviderShapes"/> holds the catalogue; <see cref="ProviderGateway"/> serves every shape's keys and
/// configures every issuer in one gateway.
/// </summary>
public sealed class ProviderShape
{
    /// <summary>Short name, also the route prefix (<c>/keycloak/read/...</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The exact <c>iss</c>.</summary>
    public required string Issuer { get; init; }

    /// <summary>Which JWKS the shape's keys come from: Entra ID v1 and v2 tokens share the tenant's keys.</summary>
    public required string KeyGroup { get; init; }

    /// <summary>The issuer entry, as README shows it, without <c>JwksUri</c> (the fixture adds its JWKS server's).</summary>
    public required Func<JsonObject> IssuerConfig { get; init; }

    /// <summary>The JOSE header, without <c>kid</c> (added from the signing key).</summary>
    public required Func<JsonObject> Header { get; init; }

    /// <summary>The payload, with exactly the claims the provider documents for a user's access token.</summary>
    public required Func<ProviderTokenRequest, JsonObject> Payload { get; init; }

    /// <summary>The client the shape's tokens are issued to (<c>azp</c>, <c>client_id</c>, <c>appid</c>, <c>cid</c>).</summary>
    public required string ClientId { get; init; }

    /// <summary>A scope the shape's tokens grant (in its own form: <c>scope</c> string, <c>scp</c> string or array).</summary>
    public required string GrantedScope { get; init; }

    /// <summary>A scope of the same API the tokens do not grant.</summary>
    public required string MissingScope { get; init; }

    /// <summary>The claim the gateway takes as the session (<c>sid</c>, Cognito's <c>origin_jti</c>), or null: no session in access tokens.</summary>
    public string? SessionClaim { get; init; }

    /// <summary>The claim the gateway takes as the token id (<c>jti</c>, Entra's <c>uti</c>), or null: no token id.</summary>
    public string? TokenIdClaim { get; init; }

    /// <summary>The client id back-channel logout tokens are addressed to, or null: the provider sends none (no <c>LogoutAudiences</c>).</summary>
    public string? LogoutClient { get; init; }

    /// <summary>A fresh subject in the provider's own form (a UUID, <c>auth0|...</c>, an Okta login ...).</summary>
    public required Func<string> NewSubject { get; init; }

    public override string ToString() => Name;
}
