namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>What one test wants in a provider-shaped access token; the shape decides the claim names and JSON types.</summary>
/// <param name="Subject">The user (or client) the gateway keys state on: <c>sub</c>, or the claim the issuer's <c>Claims:Subject</c> names.</param>
/// <param name="Session">The session id, for shapes whose access tokens carry one (else ignored).</param>
/// <param name="TokenId">The token id, for shapes whose access tokens carry one (else ignored).</param>
/// <param name="IssuedAt">Unix seconds.</param>
/// <param name="ClientId">The client the token was issued to, in the shape's own claim.</param>
public sealed record ProviderTokenRequest(string Subject, string? Session, string TokenId, long IssuedAt, string ClientId);
