using Gateway.Gate;
namespace Gateway.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void RouteMetadataKeys_AreTheDesignNames()
    {
        Assert.Equal("MaxTokenAge", Gateway.Gate.RouteMetadataKeys.MaxTokenAge);
    }
}
