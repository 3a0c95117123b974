using StackExchange.Redis;

namespace Gateway.Sessions.Redis;

/// <summary>
/// On Redis Cluster, one hash tag per master (<c>m0</c>, <c>m1</c>, ...: for each master the first whose slot it owns),
/// so that one epoch marker can live on every master (<see cref="RedisKeys.MasterMarker"/>) and a master that loses
/// its data on its own is noticed. Read from the multiplexer's current cluster configuration (<c>CLUSTER NODES</c>,
/// refreshed by StackExchange.Redis on every reconnect and <c>MOVED</c>), so a topology change yields new tags at the
/// next check. Empty when Redis is not a cluster (the one marker <c>gw:epoch</c> covers its one master).
/// </summary>
internal sealed class ClusterMasterTags
{
    // A master owning a single slot is found within a few hundred thousand tries (16384 slots, CRC16 spreads evenly).
    private const int MaxTries = 1 << 22;

    private readonly IConnectionMultiplexer _redis;
    private readonly Lock _lock = new();
    private ClusterConfiguration? _for;
    private string[] _tags = [];

    public ClusterMasterTags(IConnectionMultiplexer redis) => _redis = redis;

    /// <summary>True when the connected Redis is a cluster.</summary>
    public bool IsCluster => _redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);

    /// <summary>The tags of the current masters (empty: not a cluster, or its configuration not known yet).</summary>
    public IReadOnlyList<string> Current()
    {
        var config = _redis.GetServers()
            .Where(s => s.ServerType == ServerType.Cluster && s.IsConnected)
            .Select(s => s.ClusterConfiguration)
            .FirstOrDefault(c => c is not null);
        if (config is null)
        {
            return [];
        }

        lock (_lock)
        {
            if (!ReferenceEquals(config, _for))
            {
                _tags = Find(config);
                _for = config;
            }

            return _tags;
        }
    }

    private string[] Find(ClusterConfiguration config)
    {
        var masters = config.Nodes.Where(n => !n.IsReplica && n.Slots.Count > 0).Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var tags = new List<string>(masters.Count);
        for (var i = 0; i < MaxTries && masters.Count > 0; i++)
        {
            var tag = "m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (config.GetBySlot(_redis.HashSlot("{" + tag + "}")) is { } owner && masters.Remove(owner.NodeId))
            {
                tags.Add(tag);
            }
        }

        return [.. tags];
    }
}
