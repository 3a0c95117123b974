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

    /// <summary>
    /// The index of every denylisted sid/jti: a sorted set of <see cref="DenylistHash"/> members scored by expiry, from
    /// which each instance loads its <see cref="DenylistReplica"/>. Deliberately outside any user's slot.
    /// </summary>
    public RedisKey Denylist => Prefix + "denylist";

    /// <summary>
    /// Redis Cluster: the epoch marker of one master, in a slot that master owns (<see cref="ClusterMasterTags"/>).
    /// Its tag (<c>m0</c>, <c>m1</c>, ...) has no '|', so it is never a user's tag.
    /// </summary>
    public RedisKey MasterMarker(string tag) => $"{Prefix}epoch:{{{tag}}}";

    /// <summary>
    /// Redis Cluster: the set of master-marker tags ever written. Its hash tag is the name of <see cref="Epoch"/>, so it
    /// lives in the epoch marker's slot: a registered marker that is gone was lost, an unregistered one was never written.
    /// </summary>
    public RedisKey MarkerRegistry => $"{Prefix}epoch:markers:{{{Prefix}epoch}}";

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

    /// <summary>A token's uses over every instance in one rate-spike window (the window's number: Unix time / window length).</summary>
    public RedisKey RateWindow(UserKey user, string jti, long window) =>
        User(user, "rate:" + window.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Escape(jti));

    /// <summary>The session inventory: a hash of sid to a JSON record.</summary>
    public RedisKey Seen(UserKey user) => User(user, "seen");

    /// <summary>The session inventory's index: a sorted set of sids by last seen (bounds it per user).</summary>
    public RedisKey SeenIndex(UserKey user) => User(user, "seen:idx");

    /// <summary>A session's newest and first token iat, <c>"newest:first"</c> (read with the session's other facts).</summary>
    public RedisKey SessionIat(UserKey user, string sid) => User(user, "siat:" + Escape(sid));

    /// <summary>The lead of a gateway-managed single-session policy, <c>"loginAt:sid"</c>.</summary>
    public RedisKey Lead(UserKey user, LeadKind kind) => User(user, kind == LeadKind.NewestLogin ? "lead:newest" : "lead:first");

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
