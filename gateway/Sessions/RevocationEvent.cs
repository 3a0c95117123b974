using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Sessions;

/// <summary>
/// The message published on <c>gw:revocations</c> after every write:
/// <c>{"kind":"session","iss":"https://idp","sub":"alice","id":"s1","ts":1700000000000}</c>. <c>kind</c> is token,
/// session, user, client, active, epoch or rule, or seen / lead (a session's newest token or a single-session leader
/// moved: nothing was revoked; a seen event carries the token's <c>iat</c>, which receivers merge into their cached copy
/// of that session, and without it, like a lead event, makes them re-read that user without forgetting its last-known
/// state); <c>ts</c> the
/// publish time in Unix milliseconds. A receiver drops its
/// cached state of (<c>iss</c>, <c>sub</c>); all state for an unknown or unreadable message.
/// </summary>
public sealed record RevocationEvent(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("iss")] string? Iss,
    [property: JsonPropertyName("sub")] string? Sub,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("ts")] long Timestamp)
{
    /// <summary>For token and session events: until when the entry lives (Unix seconds), for the denylist replica.</summary>
    [JsonPropertyName("until")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Until { get; init; }

    /// <summary>For seen events: the <c>iat</c> of the token recorded, merged by receivers into their cached copy of the session.</summary>
    [JsonPropertyName("iat")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? IssuedAt { get; init; }

    public const string TokenKind = "token";
    public const string SessionKind = "session";
    public const string UserKind = "user";
    public const string ActiveKind = "active";
    public const string ClientKind = "client";
    public const string EpochKind = "epoch";
    public const string SeenKind = "seen";
    public const string LeadKind = "lead";

    /// <summary>True for the kinds that revoke nothing (<see cref="SeenKind"/>, <see cref="LeadKind"/>).</summary>
    [JsonIgnore]
    public bool RevokesNothing => Kind is SeenKind or LeadKind;

    /// <summary>A revocation rule was created (<c>id</c>: the rule id, <c>iss</c>: its issuer, no <c>sub</c>): instances reload their rules.</summary>
    public const string RuleKind = "rule";

    /// <summary>The user this event names, if it names one.</summary>
    [JsonIgnore]
    public UserKey? User => Iss is not null && Sub is not null ? new UserKey(Iss, Sub) : null;

    public static RevocationEvent For(string kind, UserKey user, string? id, long timestamp) => new(kind, user.Issuer, user.Subject, id, timestamp);

    public string ToJson() => JsonSerializer.Serialize(this, RevocationEventJson.Default.RevocationEvent);

    public static RevocationEvent? TryParse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, RevocationEventJson.Default.RevocationEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
