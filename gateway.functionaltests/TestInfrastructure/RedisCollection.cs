using Gateway.Testing;

namespace Gateway.FunctionalTests.TestInfrastructure;

/// <summary>
/// Test classes marked <c>[Collection(RedisCollection.Name)]</c> share one <see cref="RedisServer"/> (take it in the
/// constructor). They run one after another; call <see cref="RedisServer.FlushAsync"/> or use distinct subjects.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
