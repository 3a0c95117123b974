using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;
using Yarp.ReverseProxy.Configuration;

// A peer of the gateway for `loadtests compare`: what a team would write with the stock parts. YARP forwards the same
// three routes as the gateway; ASP.NET Core's JwtBearer validates issuer, audience, ES256 and lifetime against a JWKS
// file; then one Redis EXISTS of the token's jti (a denylisted jti is refused with 401). No cache of any kind: every
// request is a full validation and one Redis round trip.
//
//   dotnet JwtBearerPeer.dll --urls http://127.0.0.1:8095 --backend http://127.0.0.1:5000 --redis 127.0.0.1:6379 \
//       --jwks jwks.json --issuer https://loadtests.local --audience api [--deny-prefix denylist:jti:]
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
var settings = builder.Configuration;
string Required(string name) => settings[name] ?? throw new InvalidOperationException($"JwtBearerPeer: --{name} is required");

var issuer = Required("issuer");
var audience = Required("audience");
var backend = Required("backend").TrimEnd('/') + "/";
var signingKeys = new JsonWebKeySet(await File.ReadAllTextAsync(Required("jwks"))).GetSigningKeys();
var denyPrefix = settings["deny-prefix"] ?? "denylist:jti:";
var redis = await ConnectionMultiplexer.ConnectAsync(Required("redis"));
var denylist = redis.GetDatabase();

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
{
    options.MapInboundClaims = false;
    options.RequireHttpsMetadata = false;
    options.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        IssuerSigningKeys = signingKeys,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30), // the gateway's default
    };
    options.Events = new JwtBearerEvents
    {
        OnTokenValidated = async context =>
        {
            var jti = (context.SecurityToken as JsonWebToken)?.Id;
            if (string.IsNullOrEmpty(jti) || await denylist.KeyExistsAsync(denyPrefix + jti))
            {
                context.Fail("token revoked");
            }
        },
    };
});
builder.Services.AddAuthorization();
builder.Services.AddReverseProxy().LoadFromMemory(
    [
        new RouteConfig { RouteId = "public", ClusterId = "api", AuthorizationPolicy = "anonymous", Match = new RouteMatch { Path = "/public/{**rest}" } },
        new RouteConfig { RouteId = "api", ClusterId = "api", AuthorizationPolicy = "default", Match = new RouteMatch { Path = "/api/{**rest}" } },
        new RouteConfig { RouteId = "sensitive", ClusterId = "api", AuthorizationPolicy = "default", Match = new RouteMatch { Path = "/account/{**rest}" } },
    ],
    [
        new ClusterConfig
        {
            ClusterId = "api",
            Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["backend"] = new DestinationConfig { Address = backend } },
        },
    ]);

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapReverseProxy();
await app.RunAsync();
