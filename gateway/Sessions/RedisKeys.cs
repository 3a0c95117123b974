using System.Text;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// The Redis key schema. Every key of one user carries the hash tag <c>{sub}</c>, so one user's keys share a slot
/// (one round trip, also on Redis Cluster). Ids are written as given, except that '%', '{' and '}' are
/// percent-encoded so no id can move the hash tag or spell another user's key.
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

    public RedisKey Version(string sub) => User(sub, "ver");

    public RedisKey Cutoff(string sub) => User(sub, "nbf");

    public RedisKey Active(string sub) => User(sub, "active");

    public RedisKey Session(string sub, string sid) => User(sub, "sid:" + Escape(sid));

    public RedisKey Token(string sub, string jti) => User(sub, "jti:" + Escape(jti));

    public RedisKey Uses(string sub, string jti) => User(sub, "uses:" + Escape(jti));

    public RedisKey Once(string sub, string id) => User(sub, "once:" + Escape(id));

    private RedisKey User(string sub, string suffix) => $"{Prefix}{{{Escape(sub)}}}:{suffix}";

    internal static string Escape(string id)
    {
        if (id.AsSpan().IndexOfAny('%', '{', '}') < 0)
        {
            return id;
        }

        var sb = new StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            sb.Append(c switch { '%' => "%25", '{' => "%7B", '}' => "%7D", _ => c.ToString() });
        }

        return sb.ToString();
    }
}
