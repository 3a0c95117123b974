using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// The access-token shapes of Keycloak, Auth0 (both access-token profiles), Entra ID v1 and v2, Okta and Cognito, as
/// their documentation shows them, and the issuer entries README's "Connecting your identity provider" gives for
/// them. Values (tenant ids, client ids) are made up; claim names, JSON types and header members are the providers'.
/// </summary>
public static class ProviderShapes
{
    public const string KeycloakIssuer = "https://sso.example.com/realms/shop";
    public const string KeycloakClient = "web-shop";
    public const string Auth0Issuer = "https://example.eu.auth0.com/";
    public const string Auth0Api = "https://api.example.com/orders";
    public const string Auth0Client = "Xq3bR7kLm2NpVw8sTz4cYh6dJf9gAe1u";
    public const string EntraTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const string EntraApiClientId = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
    public const string EntraClient = "a7c5e2d1-3b4f-4e6a-9c8d-0f1e2d3c4b5a";
    public const string OktaIssuer = "https://example.okta.com/oauth2/default";
    public const string OktaClient = "0oa1b2c3d4e5f6g7h8i9";
    public const string CognitoIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
    public const string CognitoClient = "4l2k9v3m8n7b6c5x1z0q2w3e4r";
    public const string CognitoResourceServer = "https://api.example.com/orders";

    public static string EntraV1Issuer => $"https://sts.windows.net/{EntraTenant}/";

    public static string EntraV2Issuer => $"https://login.microsoftonline.com/{EntraTenant}/v2.0";

    /// <summary>
    /// Keycloak (24+): header <c>typ: JWT</c> (<c>at+jwt</c> only with the client's RFC 9068 header switch); <c>sid</c>,
    /// <c>azp</c>, <c>scope</c>, the <c>typ: "Bearer"</c> claim, realm and client roles; <c>aud</c> holds <c>account</c>
    /// and, with an audience mapper, the API. Back-channel logout tokens go to the client id.
    /// </summary>
    public static readonly ProviderShape Keycloak = new()
    {
        Name = "keycloak",
        Issuer = KeycloakIssuer,
        KeyGroup = "keycloak",
        ClientId = KeycloakClient,
        GrantedScope = "orders:read",
        MissingScope = "orders:write",
        SessionClaim = "sid",
        TokenIdClaim = "jti",
        LogoutClient = KeycloakClient,
        NewSubject = () => Guid.NewGuid().ToString(),
        IssuerConfig = () => new JsonObject
        {
            ["Issuer"] = KeycloakIssuer,
            ["Audiences"] = new JsonArray("orders-api"),
            ["Algorithms"] = new JsonArray("RS256"),
            ["LogoutAudiences"] = new JsonArray(KeycloakClient),
        },
        Header = () => new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" },
        Payload = r => new JsonObject
        {
            ["exp"] = r.IssuedAt + 300,
            ["iat"] = r.IssuedAt,
            ["auth_time"] = r.IssuedAt - 60,
            ["jti"] = r.TokenId,
            ["iss"] = KeycloakIssuer,
            ["aud"] = new JsonArray("orders-api", "account"),
            ["sub"] = r.Subject,
            ["typ"] = "Bearer",
            ["azp"] = r.ClientId,
            ["sid"] = r.Session,
            ["acr"] = "1",
            ["allowed-origins"] = new JsonArray("https://shop.example.com"),
            ["realm_access"] = new JsonObject { ["roles"] = new JsonArray("default-roles-shop", "offline_access", "uma_authorization") },
            ["resource_access"] = new JsonObject { ["account"] = new JsonObject { ["roles"] = new JsonArray("manage-account", "view-profile") } },
            ["scope"] = "openid email profile orders:read",
            ["email_verified"] = true,
            ["name"] = "Alice Example",
            ["preferred_username"] = "alice",
            ["email"] = "alice@example.com",
        },
    };

    /// <summary>
    /// Auth0, default "Auth0" access-token profile: <c>aud</c> an array with the API and the tenant's userinfo URL,
    /// <c>azp</c>, <c>scope</c>, <c>permissions</c> (RBAC); no <c>jti</c>, no <c>sid</c>.
    /// </summary>
    public static readonly ProviderShape Auth0 = new()
    {
        Name = "auth0",
        Issuer = Auth0Issuer,
        KeyGroup = "auth0",
        ClientId = Auth0Client,
        GrantedScope = "read:orders",
        MissingScope = "write:orders",
        LogoutClient = Auth0Client,
        NewSubject = () => "auth0|" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        IssuerConfig = Auth0Config,
        Header = () => new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" },
        Payload = r => new JsonObject
        {
            ["iss"] = Auth0Issuer,
            ["sub"] = r.Subject,
            ["aud"] = new JsonArray(Auth0Api, Auth0Issuer + "userinfo"),
            ["iat"] = r.IssuedAt,
            ["exp"] = r.IssuedAt + 86400,
            ["scope"] = "openid profile email read:orders",
            ["azp"] = r.ClientId,
            ["permissions"] = new JsonArray("read:orders"),
        },
    };

    /// <summary>Auth0, "RFC 9068" access-token profile: header <c>typ: at+jwt</c>, <c>client_id</c> and <c>jti</c> instead of <c>azp</c>.</summary>
    public static readonly ProviderShape Auth0Rfc9068 = new()
    {
        Name = "auth0-rfc9068",
        Issuer = Auth0Issuer,
        KeyGroup = "auth0",
        ClientId = Auth0Client,
        GrantedScope = "read:orders",
        MissingScope = "write:orders",
        TokenIdClaim = "jti",
        LogoutClient = Auth0Client,
        NewSubject = () => "auth0|" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        IssuerConfig = Auth0Config,
        Header = () => new JsonObject { ["alg"] = "RS256", ["typ"] = "at+jwt" },
        Payload = r => new JsonObject
        {
            ["iss"] = Auth0Issuer,
            ["sub"] = r.Subject,
            ["aud"] = new JsonArray(Auth0Api, Auth0Issuer + "userinfo"),
            ["client_id"] = r.ClientId,
            ["exp"] = r.IssuedAt + 86400,
            ["iat"] = r.IssuedAt,
            ["jti"] = r.TokenId,
            ["scope"] = "openid profile email read:orders",
            ["permissions"] = new JsonArray("read:orders"),
        },
    };

    /// <summary>
    /// Entra ID v1.0 access token (API with <c>accessTokenAcceptedVersion</c> null or 1): iss <c>https://sts.windows.net/&lt;tid&gt;/</c>,
    /// <c>ver: "1.0"</c>, <c>appid</c>, <c>scp</c> a space-separated string, <c>oid</c>, <c>tid</c>, <c>uti</c> (no <c>jti</c>, no <c>sid</c>),
    /// header <c>typ: JWT</c> with <c>x5t</c>. <c>sub</c> is pairwise (per application); <c>oid</c> is the user's object id.
    /// </summary>
    public static readonly ProviderShape EntraV1 = new()
    {
        Name = "entra-v1",
        Issuer = EntraV1Issuer,
        KeyGroup = "entra",
        ClientId = EntraClient,
        GrantedScope = "Orders.Read",
        MissingScope = "Orders.Write",
        TokenIdClaim = "uti",
        NewSubject = () => Guid.NewGuid().ToString(),
        IssuerConfig = () => new JsonObject
        {
            ["Issuer"] = EntraV1Issuer,
            ["Audiences"] = new JsonArray("api://orders-api", EntraApiClientId),
            ["Algorithms"] = new JsonArray("RS256"),
            ["Claims"] = new JsonObject { ["Subject"] = "oid", ["TokenId"] = "uti" },
        },
        Header = EntraHeader,
        Payload = r => new JsonObject
        {
            ["aud"] = "api://orders-api",
            ["iss"] = EntraV1Issuer,
            ["iat"] = r.IssuedAt,
            ["nbf"] = r.IssuedAt,
            ["exp"] = r.IssuedAt + 4500,
            ["acr"] = "1",
            ["aio"] = "AVQAq/8TAAAA" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
            ["amr"] = new JsonArray("pwd", "mfa"),
            ["appid"] = r.ClientId,
            ["appidacr"] = "0",
            ["family_name"] = "Example",
            ["given_name"] = "Alice",
            ["ipaddr"] = "203.0.113.7",
            ["name"] = "Alice Example",
            ["oid"] = r.Subject,
            ["rh"] = "0.AXEAv4j5cvGGr0GRqy180BHbRysXdG5WvkNIn_TmajmbEuNxAAA.",
            ["scp"] = "Orders.Read User.Read",
            ["sub"] = PairwiseSubject(r.Subject),
            ["tid"] = EntraTenant,
            ["unique_name"] = "alice@example.com",
            ["upn"] = "alice@example.com",
            ["uti"] = r.TokenId,
            ["ver"] = "1.0",
        },
    };

    /// <summary>
    /// Entra ID v2.0 access token (<c>accessTokenAcceptedVersion: 2</c>): iss <c>https://login.microsoftonline.com/&lt;tid&gt;/v2.0</c>,
    /// <c>aud</c> the API's client id, <c>ver: "2.0"</c>, <c>azp</c>, <c>scp</c>, <c>oid</c>, <c>tid</c>, <c>uti</c>.
    /// </summary>
    public static readonly ProviderShape EntraV2 = new()
    {
        Name = "entra-v2",
        Issuer = EntraV2Issuer,
        KeyGroup = "entra",
        ClientId = EntraClient,
        GrantedScope = "Orders.Read",
        MissingScope = "Orders.Write",
        TokenIdClaim = "uti",
        NewSubject = () => Guid.NewGuid().ToString(),
        IssuerConfig = () => new JsonObject
        {
            ["Issuer"] = EntraV2Issuer,
            ["Audiences"] = new JsonArray(EntraApiClientId),
            ["Algorithms"] = new JsonArray("RS256"),
            ["Claims"] = new JsonObject { ["Subject"] = "oid", ["TokenId"] = "uti" },
        },
        Header = EntraHeader,
        Payload = r => new JsonObject
        {
            ["aud"] = EntraApiClientId,
            ["iss"] = EntraV2Issuer,
            ["iat"] = r.IssuedAt,
            ["nbf"] = r.IssuedAt,
            ["exp"] = r.IssuedAt + 4500,
            ["aio"] = "AWQAm/8TAAAA" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)),
            ["azp"] = r.ClientId,
            ["azpacr"] = "0",
            ["name"] = "Alice Example",
            ["oid"] = r.Subject,
            ["preferred_username"] = "alice@example.com",
            ["rh"] = "0.AXEAv4j5cvGGr0GRqy180BHbRysXdG5WvkNIn_TmajmbEuNxAAA.",
            ["scp"] = "Orders.Read User.Read",
            ["sub"] = PairwiseSubject(r.Subject),
            ["tid"] = EntraTenant,
            ["uti"] = r.TokenId,
            ["ver"] = "2.0",
        },
    };

    /// <summary>
    /// Okta custom authorization server: header without <c>typ</c>; <c>ver: 1</c> (a number), <c>jti: "AT.…"</c>,
    /// <c>cid</c>, <c>uid</c>, <c>scp</c> an ARRAY, <c>auth_time</c>, <c>sub</c> the login; no <c>sid</c>.
    /// </summary>
    public static readonly ProviderShape Okta = new()
    {
        Name = "okta",
        Issuer = OktaIssuer,
        KeyGroup = "okta",
        ClientId = OktaClient,
        GrantedScope = "orders.read",
        MissingScope = "orders.write",
        TokenIdClaim = "jti",
        NewSubject = () => "user-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) + "@example.com",
        IssuerConfig = () => new JsonObject
        {
            ["Issuer"] = OktaIssuer,
            ["Audiences"] = new JsonArray("api://orders"),
            ["Algorithms"] = new JsonArray("RS256"),
        },
        Header = () => new JsonObject { ["alg"] = "RS256" },
        Payload = r => new JsonObject
        {
            ["ver"] = 1,
            ["jti"] = r.TokenId,
            ["iss"] = OktaIssuer,
            ["aud"] = "api://orders",
            ["iat"] = r.IssuedAt,
            ["exp"] = r.IssuedAt + 3600,
            ["cid"] = r.ClientId,
            ["uid"] = "00u" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(9))[..17],
            ["scp"] = new JsonArray("openid", "profile", "orders.read"),
            ["auth_time"] = r.IssuedAt - 60,
            ["sub"] = r.Subject,
        },
    };

    /// <summary>
    /// Cognito user-pool access token: no <c>aud</c>, <c>client_id</c>, <c>token_use: "access"</c>, <c>scope</c> (custom
    /// scopes as <c>&lt;resource server&gt;/&lt;scope&gt;</c>), <c>username</c>, <c>origin_jti</c> (the refresh-token lineage:
    /// the session), <c>event_id</c>, <c>jti</c>, <c>version: 2</c>; no <c>sid</c>.
    /// </summary>
    public static readonly ProviderShape Cognito = new()
    {
        Name = "cognito",
        Issuer = CognitoIssuer,
        KeyGroup = "cognito",
        ClientId = CognitoClient,
        GrantedScope = CognitoResourceServer + "/read",
        MissingScope = CognitoResourceServer + "/write",
        SessionClaim = "origin_jti",
        TokenIdClaim = "jti",
        NewSubject = () => Guid.NewGuid().ToString(),
        IssuerConfig = () => new JsonObject
        {
            ["Issuer"] = CognitoIssuer,
            ["Audiences"] = new JsonArray(CognitoResourceServer),
            ["Algorithms"] = new JsonArray("RS256"),
            ["ClientIdsWithoutAudience"] = new JsonArray(CognitoClient),
            ["Claims"] = new JsonObject { ["Session"] = "origin_jti" },
        },
        Header = () => new JsonObject { ["alg"] = "RS256" },
        Payload = r => new JsonObject
        {
            ["sub"] = r.Subject,
            ["cognito:groups"] = new JsonArray("customers"),
            ["iss"] = CognitoIssuer,
            ["version"] = 2,
            ["client_id"] = r.ClientId,
            ["origin_jti"] = r.Session,
            ["event_id"] = Guid.NewGuid().ToString(),
            ["token_use"] = "access",
            ["scope"] = "openid " + CognitoResourceServer + "/read",
            ["auth_time"] = r.IssuedAt - 60,
            ["exp"] = r.IssuedAt + 3600,
            ["iat"] = r.IssuedAt,
            ["jti"] = r.TokenId,
            ["username"] = r.Subject,
        },
    };

    public static IReadOnlyList<ProviderShape> All { get; } = [Keycloak, Auth0, Auth0Rfc9068, EntraV1, EntraV2, Okta, Cognito];

    public static ProviderShape Named(string name) => All.Single(s => s.Name == name);

    /// <summary>A token id in the provider's own form.</summary>
    public static string NewTokenId(ProviderShape shape) => shape.Name switch
    {
        "okta" => "AT." + Base64Url(24),
        "entra-v1" or "entra-v2" or "auth0-rfc9068" => Base64Url(16),
        _ => Guid.NewGuid().ToString(),
    };

    private static JsonObject Auth0Config() => new()
    {
        ["Issuer"] = Auth0Issuer,
        ["Audiences"] = new JsonArray(Auth0Api),
        ["Algorithms"] = new JsonArray("RS256"),
        ["LogoutAudiences"] = new JsonArray(Auth0Client),
    };

    // Entra's header carries x5t (the certificate thumbprint, equal to its kid); the fixture adds kid.
    private static JsonObject EntraHeader() => new() { ["typ"] = "JWT", ["alg"] = "RS256", ["x5t"] = "entra-key" };

    private static string PairwiseSubject(string oid) =>
        Base64Url(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(oid + EntraApiClientId)));

    private static string Base64Url(int bytes) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    private static string Base64Url(byte[] bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(bytes);
}
