using System.Diagnostics;
using System.Text.Json;
using Gateway.Sessions.Redis;
using Gateway.Telemetry;
using StackExchange.Redis;

namespace Gateway.Sessions.Rules;

/// <summary>
/// Rules in the Redis hash <c>gw:rules</c> (field: rule id, value: the rule as JSON), announced on
/// <c>gw:revocations</c> as <c>{"kind":"rule","iss":...,"id":&lt;rule id&gt;}</c>. The hash has no TTL of its own;
/// every load deletes the fields whose rule is over.
/// </summary>
internal sealed class RedisRuleStore : IRuleStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly RedisCalls _calls;

    public RedisRuleStore(IConnectionMultiplexer redis, RedisKeys keys, GatewayMetrics metrics, TimeProvider time)
    {
        _redis = redis;
        _keys = keys;
        _metrics = metrics;
        _time = time;
        _calls = new RedisCalls(redis, metrics, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    /// <summary>The hash holding every rule.</summary>
    public RedisKey Key => _keys.Prefix + "rules";

    public async Task AddAsync(RevocationRule rule, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(rule, RevocationRuleJson.Default.RevocationRule);
        await Call("rule_add", () => _redis.GetDatabase().HashSetAsync(Key, rule.Id, json));
        var announcement = new RevocationEvent(RevocationEvent.RuleKind, rule.Issuer, null, rule.Id, _time.GetUtcNow().ToUnixTimeMilliseconds());
        await Call("publish", () => _redis.GetSubscriber().PublishAsync(_keys.Channel, announcement.ToJson()));
    }

    public async Task<IReadOnlyList<RevocationRule>> LoadAsync(long now, CancellationToken cancellationToken)
    {
        var entries = await Call("rule_load", () => _redis.GetDatabase().HashGetAllAsync(Key));
        var live = new List<RevocationRule>(entries.Length);
        var over = new List<RedisValue>();
        foreach (var entry in entries)
        {
            var rule = TryParse(entry.Value);
            if (rule is null || rule.Until < now)
            {
                over.Add(entry.Name);
            }
            else
            {
                live.Add(rule);
            }
        }

        if (over.Count > 0)
        {
            await Call("rule_drop", () => _redis.GetDatabase().HashDeleteAsync(Key, [.. over]));
        }

        return live;
    }

    private static RevocationRule? TryParse(RedisValue value)
    {
        try
        {
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)value!, RevocationRuleJson.Default.RevocationRule);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Task<T> Call<T>(string operation, Func<Task<T>> call) => _calls.RunAsync(operation, call);
}
