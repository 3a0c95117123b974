using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Gateway.Sessions.Rules;

/// <summary>
/// One revocation rule: every token of <paramref name="Issuer"/> whose <paramref name="Claim"/> equals
/// <paramref name="Value"/> and whose <c>iat</c> is at or before <paramref name="Before"/> is refused
/// (<c>revoked_by_rule</c>). Kept until <paramref name="Until"/>, when no token it could match is still valid.
/// </summary>
/// <param name="Id">Derived from issuer, claim, value and before: creating the same rule twice is one rule.</param>
/// <param name="Issuer">The configured issuer whose tokens it judges.</param>
/// <param name="Claim"><c>client_id</c>, <c>kid</c>, <c>iss</c>, or the issuer's configured <c>TenantClaim</c>.</param>
/// <param name="Value">The claim value it refuses (for <c>iss</c>: the issuer).</param>
/// <param name="Before">Unix seconds: tokens issued at or before it are refused.</param>
/// <param name="Until">Unix seconds: the rule is dropped after it.</param>
/// <param name="Created">Unix seconds.</param>
public sealed record RevocationRule(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("claim")] string Claim,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("before")] long Before,
    [property: JsonPropertyName("until")] long Until,
    [property: JsonPropertyName("created")] long Created)
{
    public const string ClientIdClaim = "client_id";
    public const string KeyIdClaim = "kid";
    public const string IssuerClaim = "iss";

    public static RevocationRule Create(string issuer, string claim, string value, long before, long until, long created) =>
        new(IdOf(issuer, claim, value, before), issuer, claim, value, before, until, created);

    public static string IdOf(string issuer, string claim, string value, long before)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{issuer}\0{claim}\0{value}\0{before}"));
        return "rule-" + Convert.ToHexStringLower(digest.AsSpan(0, 8));
    }

    /// <summary>Whether this rule refuses a token carrying the rule's value, issued at <paramref name="issuedAt"/>, at <paramref name="now"/>.</summary>
    public bool Covers(long issuedAt, long now) => issuedAt <= Before && now <= Until;
}
