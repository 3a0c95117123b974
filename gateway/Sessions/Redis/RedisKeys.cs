using System.Text;
using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The Redis key schema. Every key of one user carries the hash tag <c>{issuer|sub}</c>, so one user's keys share a
/// slot (one round trip, also on Redis Cluster) and two issuers' users never share a key. Ids are written as given,
/// except that '%', '{', '}' and '|' are percent-encoded, so no id can move the hash tag or spell another user's key.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>The pub/sub channel every write is announced on.</summary>
    public RedisChannel Channel => RedisChannel.Literal(Prefix + "revocations");

    /// <summary>Global epoch marker (data-loss detection); deliberately outside any user's slot.</summary>
    public RedisKey Epoch => Prefix + "epoch";

    /// <summary>Global cut-off applied after a detected data loss (Unix seconds).</summary>
    public RedisKey GlobalCutoff => Prefix + "cutoff";

    /// <summary>The user's version (a counter).</summary>
    public RedisKey Version(UserKey user) => User(user, "ver");

    /// <summary>The user's cut-off second.</summary>
    public RedisKey Cutoff(UserKey user) => User(user, "nbf");

    /// <summary>The user's single active session.</summary>
    public RedisKey Active(UserKey user) => User(user, "active");

    /// <summary>A denylisted session.</summary>
    public RedisKey Session(UserKey user, string sid) => User(user, "sid:" + Escape(sid));

    /// <summary>A denylisted token (value: why).</summary>
    public RedisKey Token(UserKey user, string jti) => User(user, "jti:" + Escape(jti));

    /// <summary>The cut-off of one client's tokens without <c>sid</c> (back-channel logout of a session).</summary>
    public RedisKey Client(UserKey user, string client) => User(user, "client:" + Escape(client));

    /// <summary>A token's use count on one route (the route id's ':' is encoded too, so route and jti cannot blur).</summary>
    public RedisKey Uses(UserKey user, string route, string jti) => User(user, "uses:" + Escape(route).Replace(":", "%3A", StringComparison.Ordinal) + ":" + Escape(jti));

    /// <summary>A one-time id (replay guard).</summary>
    public RedisKey Once(UserKey user, string id) => User(user, "once:" + Escape(id));

    /// <summary>
    /// An accepted DPoP proof (<c>dpop:</c> + a SHA-256 digest of key thumbprint and <c>jti</c>, see DpopReplayGuard):
    /// no user's key, so outside every hash tag; its TTL ends with the proof's <c>iat</c> window.
    /// </summary>
    public RedisKey ProofReplay(string digestKey) => Prefix + digestKey;

    /// <summary>The hash tag of a user's keys, without braces.</summary>
    public static string Tag(UserKey user) => Escape(user.Issuer) + "|" + Escape(user.Subject);

    private RedisKey User(UserKey user, string suffix) => $"{Prefix}{{{Tag(user)}}}:{suffix}";

    internal static string Escape(string id)
    {
        if (id.AsSpan().IndexOfAny("%{}|") < 0)
        {
            return id;
        }

        var sb = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            sb.Append(c switch { '%' => "%25", '{' => "%7B", '}' => "%7D", '|' => "%7C", _ => c.ToString() });
        }

        return sb.ToString();
    }
}
