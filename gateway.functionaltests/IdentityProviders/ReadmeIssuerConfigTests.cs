using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// README's "Connecting your identity provider" shows the issuer entries the provider tests run with: every JSON
/// block there for a provider of <see cref="ProviderShapes"/> equals the tested entry (apart from the JWKS URI, which
/// the tests point at their own JWKS servers), so the documentation cannot drift from what is proven.
/// </summary>
public sealed partial class ReadmeIssuerConfigTests
{
    private static string ReadmeSection()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        var start = readme.IndexOf("## Connecting your identity provider", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no section 'Connecting your identity provider'");
        var end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        return readme[start..end];
    }

    public static TheoryData<string> Issuers() => [.. ProviderShapes.All.Select(s => s.Issuer).Distinct()];

    [Theory]
    [MemberData(nameof(Issuers))]
    public void ReadmeIssuerEntry_IsTheTestedOne(string issuer)
    {
        var blocks = JsonBlock().Matches(ReadmeSection()).Select(m => JsonNode.Parse(m.Groups["json"].Value)!.AsObject()).ToList();
        var documented = Assert.Single(blocks, b => b["Issuer"]!.GetValue<string>() == issuer);
        var jwksUri = documented["JwksUri"]!.GetValue<string>();
        Assert.StartsWith("https://", jwksUri, StringComparison.Ordinal);
        documented.Remove("JwksUri");

        var tested = ProviderShapes.All.First(s => s.Issuer == issuer).IssuerConfig();

        Assert.True(JsonNode.DeepEquals(tested, documented), $"README: {documented.ToJsonString()}\ntested: {tested.ToJsonString()}");
    }

    [GeneratedRegex("```json\\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
