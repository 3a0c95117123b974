namespace Gateway.Tests.Benchmarks;

/// <summary>Benchmarks run alone, after the parallel tests, so their measurements are their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection
{
    public const string Name = "benchmarks";
}
