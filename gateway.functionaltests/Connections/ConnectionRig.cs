using Gateway.FunctionalTests.Reliability;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Connections;

/// <summary>Two gateway instances sharing one real redis-server (epoch marker seeded), on <see cref="StreamingRig"/>'s routes.</summary>
public sealed class ConnectionRig : StreamingRig
{
    public RedisServer Redis { get; private set; } = null!;

    public GatewayHost One { get; private set; } = null!;

    public GatewayHost Two { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Redis = await ReliabilityRig.StartRedisAsync();
        One = await ReliabilityRig.StartGatewayAsync(CreateConfig(Redis.ConnectionString));
        Two = await ReliabilityRig.StartGatewayAsync(CreateConfig(Redis.ConnectionString));
    }

    public override async Task DisposeAsync()
    {
        await One.DisposeAsync();
        await Two.DisposeAsync();
        await Redis.DisposeAsync();
        await base.DisposeAsync();
    }
}
