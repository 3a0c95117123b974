using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Testing;

namespace Gateway.FunctionalTests.Hosting;

/// <summary>Bad configuration fails start-up with one line per error, each naming the key at fault, and no stack trace.</summary>
public sealed class StartupValidationTests
{
    private static readonly TestKey Key = TestKey.Es256("startup");

    public static TheoryData<string, string> Cases => new()
    {
        { "policy-unknown", "ReverseProxy:Routes:api:AuthorizationPolicy" },
        { "policy-typo", "ReverseProxy:Routes:api:AuthorizationPolicy" },
        { "max-token-age-text", "ReverseProxy:Routes:api:Metadata:MaxTokenAge" },
        { "max-token-age-negative", "ReverseProxy:Routes:api:Metadata:MaxTokenAge" },
        { "single-session-yes", "ReverseProxy:Routes:api:Metadata:SingleSession" },
        { "max-uses-zero", "ReverseProxy:Routes:api:Metadata:MaxUses" },
        { "newest-token-wins-yes", "ReverseProxy:Routes:api:Metadata:NewestTokenWins" },
        { "single-session-policy-unknown", "ReverseProxy:Routes:api:Metadata:SingleSessionPolicy" },
        { "single-session-policy-without-inventory", "ReverseProxy:Routes:api:Metadata:SingleSessionPolicy" },
        { "inventory-resolution-zero", "Gateway:Sessions:Inventory:Resolution" },
        { "inventory-per-user-zero", "Gateway:Sessions:Inventory:MaxSessionsPerUser" },
        { "token-replaced-grace-negative", "Gateway:Sessions:TokenReplacedGrace" },
        { "console-idle-short", "Gateway:Admin:Console:IdleTimeout" },
        { "max-uses-text", "ReverseProxy:Routes:api:Metadata:MaxUses" },
        { "anonymous-with-rules", "ReverseProxy:Routes:public:Metadata" },
        { "close-on-revocation-yes", "ReverseProxy:Routes:api:Metadata:CloseOnRevocation" },
        { "close-on-expiry-text", "ReverseProxy:Routes:api:Metadata:CloseOnExpiry" },
        { "expiry-grace-negative", "ReverseProxy:Routes:api:Metadata:ExpiryGrace" },
        { "connections-max-zero", "Gateway:Connections:MaxConnections" },
        { "connections-token-grace-negative", "Gateway:Connections:TokenRevocationGrace" },
        { "connections-close-timeout-zero", "Gateway:Connections:CloseTimeout" },
        { "connections-rejudge-interval-zero", "Gateway:Connections:RejudgeInterval" },
        { "algorithm-unknown", "Gateway:Tokens:Issuers:0:Algorithms" },
        { "algorithm-none", "Gateway:Tokens:Issuers:0:Algorithms" },
        { "algorithm-lowercase", "Gateway:Tokens:Issuers:0:Algorithms" },
        { "algorithms-empty", "Gateway:Tokens:Issuers:0:Algorithms" },
        { "issuer-missing", "Gateway:Tokens:Issuers:0:Issuer" },
        { "issuers-none", "Gateway:Tokens:Issuers" },
        { "issuer-twice", "Gateway:Tokens:Issuers:1:Issuer" },
        { "issuer-non-ascii", "Gateway:Tokens:Issuers:0:Issuer" },
        { "issuer-control-character", "Gateway:Tokens:Issuers:0:Issuer" },
        { "audiences-missing", "Gateway:Tokens:Issuers:0:Audiences" },
        { "jwks-not-json", "Gateway:Tokens:Issuers:0:Jwks" },
        { "jwks-no-keys-member", "Gateway:Tokens:Issuers:0:Jwks" },
        { "jwks-empty-keys", "Gateway:Tokens:Issuers:0:Jwks" },
        { "jwks-key-without-members", "Gateway:Tokens:Issuers:0:Jwks" },
        { "jwks-and-uri", "Gateway:Tokens:Issuers:0:JwksUri" },
        { "jwks-neither", "Gateway:Tokens:Issuers:0:JwksUri" },
        { "jwks-uri-http-remote", "Gateway:Tokens:Issuers:0:JwksUri" },
        { "jwks-uri-relative", "Gateway:Tokens:Issuers:0:JwksUri" },
        { "clock-skew-huge", "Gateway:Tokens:ClockSkew" },
        { "urls-not-http", "Urls" },
        { "admin-urls-garbage", "Gateway:Admin:Urls" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_BadConfiguration_FailsNamingTheKey(string name, string key)
    {
        var config = Valid();
        Break(config, name);

        var exception = await GatewayHost.StartExpectingFailureAsync(config);

        var lines = StartupErrors.Describe(exception).ToList();
        Assert.Contains(lines, l => l.StartsWith(key + ":", StringComparison.Ordinal) || l.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_SeveralErrors_ReportsEveryOne()
    {
        var config = Valid();
        config.Issuer().Remove("Issuer");
        config.Issuer()["Algorithms"] = new JsonArray("ES256", "XS999");
        config.Set("Gateway:Tokens:ClockSkew", "01:00:00");

        var exception = await GatewayHost.StartExpectingFailureAsync(config);

        var lines = StartupErrors.Describe(exception).ToList();
        Assert.Contains(lines, l => l.StartsWith("Gateway:Tokens:Issuers:0:Issuer:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Gateway:Tokens:Issuers:0:Algorithms:", StringComparison.Ordinal) && l.Contains("XS999", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Gateway:Tokens:ClockSkew:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ValidInlineJwksConfiguration_Starts()
    {
        // The positive control for the table above.
        await using var gateway = await GatewayHost.StartAsync(Valid());

        Assert.Contains(gateway.CurrentRoutes(), r => r.RouteId == "api");
    }

    private static GatewayConfig Valid() =>
        GatewayConfig.StandardInline(JwksDocument.Of(Key), "http://127.0.0.1:9/");

    private static void Break(GatewayConfig config, string name)
    {
        var issuer = config.Issuer();
        switch (name)
        {
            case "policy-unknown":
                config.Set("ReverseProxy:Routes:api:AuthorizationPolicy", "admins");
                break;
            case "policy-typo":
                config.Set("ReverseProxy:Routes:api:AuthorizationPolicy", "anonymus");
                break;
            case "max-token-age-text":
                config.Set("ReverseProxy:Routes:api:Metadata:MaxTokenAge", "five minutes");
                break;
            case "max-token-age-negative":
                config.Set("ReverseProxy:Routes:api:Metadata:MaxTokenAge", "-00:05:00");
                break;
            case "single-session-yes":
                config.Set("ReverseProxy:Routes:api:Metadata:SingleSession", "yes");
                break;
            case "newest-token-wins-yes":
                config.Set("ReverseProxy:Routes:api:Metadata:NewestTokenWins", "yes");
                break;
            case "single-session-policy-unknown":
                config.Set("ReverseProxy:Routes:api:Metadata:SingleSessionPolicy", "LastLogin");
                break;
            case "single-session-policy-without-inventory":
                config.Set("ReverseProxy:Routes:api:Metadata:SingleSessionPolicy", "FirstLogin");
                config.Set("Gateway:Sessions:Inventory:Enabled", false);
                break;
            case "inventory-resolution-zero":
                config.Set("Gateway:Sessions:Inventory:Resolution", "00:00:00");
                break;
            case "inventory-per-user-zero":
                config.Set("Gateway:Sessions:Inventory:MaxSessionsPerUser", 0);
                break;
            case "token-replaced-grace-negative":
                config.Set("Gateway:Sessions:TokenReplacedGrace", "-00:00:01");
                break;
            case "console-idle-short":
                config.Set("Gateway:Admin:Console:IdleTimeout", "00:00:10");
                break;
            case "max-uses-zero":
                config.Set("ReverseProxy:Routes:api:Metadata:MaxUses", "0");
                break;
            case "max-uses-text":
                config.Set("ReverseProxy:Routes:api:Metadata:MaxUses", "many");
                break;
            case "close-on-revocation-yes":
                config.Set("ReverseProxy:Routes:api:Metadata:CloseOnRevocation", "yes");
                break;
            case "close-on-expiry-text":
                config.Set("ReverseProxy:Routes:api:Metadata:CloseOnExpiry", "when expired");
                break;
            case "expiry-grace-negative":
                config.Set("ReverseProxy:Routes:api:Metadata:ExpiryGrace", "-00:00:30");
                break;
            case "connections-max-zero":
                config.Set("Gateway:Connections:MaxConnections", 0);
                break;
            case "connections-token-grace-negative":
                config.Set("Gateway:Connections:TokenRevocationGrace", "-00:00:10");
                break;
            case "connections-close-timeout-zero":
                config.Set("Gateway:Connections:CloseTimeout", "00:00:00");
                break;
            case "connections-rejudge-interval-zero":
                config.Set("Gateway:Connections:RejudgeInterval", "00:00:00");
                break;
            case "anonymous-with-rules":
                config.Set("ReverseProxy:Routes:public:Metadata:MaxUses", "3");
                break;
            case "algorithm-unknown":
                issuer["Algorithms"] = new JsonArray("ES256", "ES999");
                break;
            case "algorithm-none":
                issuer["Algorithms"] = new JsonArray("ES256", "none");
                break;
            case "algorithm-lowercase":
                issuer["Algorithms"] = new JsonArray("es256");
                break;
            case "algorithms-empty":
                issuer["Algorithms"] = new JsonArray();
                break;
            case "issuer-missing":
                issuer.Remove("Issuer");
                break;
            case "issuers-none":
                config.Set("Gateway:Tokens:Issuers", null);
                break;
            case "issuer-twice":
                config.AddIssuer(TokenFactory.Issuer, ["api"], ["ES256"], jwks: JwksDocument.Of(Key));
                break;
            case "issuer-non-ascii":
                issuer["Issuer"] = "https://idp.example/t\u00e9nant";
                break;
            case "issuer-control-character":
                issuer["Issuer"] = "https://idp.example/\r\nX-Auth-Admin: true";
                break;
            case "audiences-missing":
                issuer.Remove("Audiences");
                break;
            case "jwks-not-json":
                issuer["Jwks"] = "{not json";
                break;
            case "jwks-no-keys-member":
                issuer["Jwks"] = "{\"key\":[]}";
                break;
            case "jwks-empty-keys":
                issuer["Jwks"] = "{\"keys\":[]}";
                break;
            case "jwks-key-without-members":
                issuer["Jwks"] = "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"x\"}]}";
                break;
            case "jwks-and-uri":
                issuer["JwksUri"] = "https://idp.example/jwks.json";
                break;
            case "jwks-neither":
                issuer.Remove("Jwks");
                break;
            case "jwks-uri-http-remote":
                issuer.Remove("Jwks");
                issuer["JwksUri"] = "http://idp.example/jwks.json";
                break;
            case "jwks-uri-relative":
                issuer.Remove("Jwks");
                issuer["JwksUri"] = "/jwks.json";
                break;
            case "clock-skew-huge":
                config.Set("Gateway:Tokens:ClockSkew", "00:10:00");
                break;
            case "urls-not-http":
                config.Set("Urls", "ftp://127.0.0.1:0");
                break;
            case "admin-urls-garbage":
                config.Set("Gateway:Admin:Urls", "not a url");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case");
        }
    }
}
