using System.Text.Json.Nodes;

namespace Gateway.Tests.Hosting;

/// <summary>The GC settings the gateway ships with (Gateway.csproj, into Gateway.runtimeconfig.json): memory targets depend on them.</summary>
public sealed class GarbageCollectorSettingsTests
{
    [Fact]
    public void RuntimeConfig_ServerGc_NonConcurrent_WithAQuarterOfTheDefaultGen0Growth()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Gateway.runtimeconfig.json");
        var properties = JsonNode.Parse(File.ReadAllText(path))!["runtimeOptions"]!["configProperties"]!;

        Assert.True(properties["System.GC.Server"]!.GetValue<bool>());
        Assert.False(properties["System.GC.Concurrent"]!.GetValue<bool>());
        Assert.Equal(25, properties["System.GC.DGen0GrowthPercent"]!.GetValue<int>());
    }
}
