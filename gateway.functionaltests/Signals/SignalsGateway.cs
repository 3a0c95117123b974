using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.AspNetCore.Http;

namespace Gateway.FunctionalTests.Signals;

/// <summary>
/// A <see cref="SessionGateway"/> with two SSF transmitters: the standard issuer pushes SETs signed with its own token
/// key; a second issuer (<see cref="PollIssuer"/>) has a transmitter key of its own in a separate JWKS and is polled
/// (RFC 8936) at a tiny poll endpoint that serves queued SETs and records every poll body.
/// </summary>
public sealed class SignalsGateway : SessionGateway
{
    public const string Audience = "https://gateway.test/ssf";
    public const string PollIssuer = "https://idp2.test";
    public const string MappedEmail = "Mapped@Example.com";
    public const string MappedSub = "mapped-user";

    private readonly ConcurrentQueue<(string Jti, string Set)> _queue = new();
    private LoopbackServer? _pollServer;

    /// <summary>The second issuer's access-token key (inline JWKS).</summary>
    public TestKey PollIssuerKey { get; } = TestKey.Es256();

    /// <summary>The second issuer's transmitter key, served by <see cref="TransmitterJwks"/>.</summary>
    public TestKey TransmitterKey { get; } = TestKey.Es256();

    public JwksServer TransmitterJwks { get; } = new();

    /// <summary>The body of every poll request, in order.</summary>
    public ConcurrentQueue<JsonObject> Polls { get; } = new();

    public void Enqueue(string jti, string set) => _queue.Enqueue((jti, set));

    public override async Task InitializeAsync()
    {
        TransmitterJwks.SetKeys(TransmitterKey);
        await TransmitterJwks.InitializeAsync();
        _pollServer = await LoopbackServer.StartAsync(HandlePollAsync);
        await base.InitializeAsync();
    }

    protected override void Configure(GatewayConfig config)
    {
        config.AddIssuer(PollIssuer, [TokenFactory.Audience], ["ES256"], jwks: JwksDocument.Of(PollIssuerKey));
        config.Set("Gateway:Signals:Transmitters", new JsonArray(
            new JsonObject
            {
                ["Issuer"] = TokenFactory.Issuer,
                ["Audience"] = Audience,
                ["EmailSubjects"] = new JsonObject { [MappedEmail] = MappedSub },
            },
            new JsonObject
            {
                ["Issuer"] = PollIssuer,
                ["Audience"] = Audience,
                ["JwksUri"] = TransmitterJwks.Url,
                ["PollEndpoint"] = new Uri(_pollServer!.BaseAddress, "poll").ToString(),
                ["PollAuthorization"] = "Bearer poll-secret",
                ["PollInterval"] = "00:00:00.2",
                ["EmailIsSubject"] = true,
            }));
    }

    /// <summary>A SET from <paramref name="issuer"/> signed by <paramref name="key"/>, with one event.</summary>
    public static string Set(TestKey key, string type, JsonObject eventBody, string issuer = TokenFactory.Issuer, string audience = Audience,
        string? jti = null, long? iat = null, string? typ = "secevent+jwt", JsonObject? subId = null)
    {
        var header = new JsonObject { ["alg"] = key.Alg, ["kid"] = key.Kid };
        if (typ is not null)
        {
            header["typ"] = typ;
        }

        var payload = new JsonObject
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["iat"] = iat ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = jti ?? Guid.NewGuid().ToString("N"),
            ["events"] = new JsonObject { [type] = eventBody },
        };
        if (subId is not null)
        {
            payload["sub_id"] = subId;
        }

        return TokenFactory.Sign(header.ToJsonString(), payload.ToJsonString(), key);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_pollServer is not null)
        {
            await _pollServer.DisposeAsync();
        }

        await TransmitterJwks.DisposeAsync();
        PollIssuerKey.Dispose();
        TransmitterKey.Dispose();
    }

    private async Task HandlePollAsync(HttpContext context)
    {
        if (context.Request.Path != "/poll" || context.Request.Headers.Authorization != "Bearer poll-secret")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Polls.Enqueue(body);
        var sets = new JsonObject();
        if (_queue.TryDequeue(out var next))
        {
            sets[next.Jti] = next.Set;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["sets"] = sets, ["moreAvailable"] = !_queue.IsEmpty }.ToJsonString());
    }
}
