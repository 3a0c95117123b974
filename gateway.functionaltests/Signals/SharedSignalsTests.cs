using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.FunctionalTests.Signals;

/// <summary>
/// The Shared Signals receiver: RFC 8935 push and RFC 8936 poll of SETs (RFC 8417) carrying CAEP and RISC events,
/// with RFC 9493 subjects, mapped onto the gateway's revocations.
/// </summary>
public sealed class SharedSignalsTests(SignalsGateway fixture) : IClassFixture<SignalsGateway>
{
    private const string Caep = "https://schemas.openid.net/secevent/caep/event-type/";
    private const string Risc = "https://schemas.openid.net/secevent/risc/event-type/";

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static JsonObject IssSub(string sub, string iss = TokenFactory.Issuer) => new() { ["format"] = "iss_sub", ["iss"] = iss, ["sub"] = sub };

    private Task<HttpResponseMessage> PushAsync(string set, string contentType = "application/secevent+jwt") =>
        PushAsync(fixture.Gateway, set, contentType);

    private static async Task<HttpResponseMessage> PushAsync(GatewayHost gateway, string set, string contentType = "application/secevent+jwt")
    {
        var content = new StringContent(set, Encoding.ASCII);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/signals/events") { Content = content };
        return await gateway.SendAsync(request);
    }

    private async Task AcceptedAsync(string set)
    {
        using var response = await PushAsync(set);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<string?> ReasonAsync(string token)
    {
        using var response = await fixture.Gateway.GetAsync("/api/x", token);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return null;
        }

        var challenge = response.Headers.WwwAuthenticate.ToString();
        var start = challenge.IndexOf("error_description=\"", StringComparison.Ordinal);
        return start < 0 ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : challenge[(start + 19)..].Split('"')[0];
    }

    private string Token(string sub, string? sid = null, int iatSeconds = -5) => fixture.Token(sub, sid: sid, iat: TimeSpan.FromSeconds(iatSeconds));

    [Fact]
    public async Task Push_CaepSessionRevoked_WithAComplexSubject_EndsThatSessionOnly()
    {
        var sub = NewUser();
        var laptop = Token(sub, "laptop");
        var phone = Token(sub, "phone");
        var subject = new JsonObject { ["format"] = "complex", ["user"] = IssSub(sub), ["session"] = new JsonObject { ["format"] = "opaque", ["id"] = "laptop" } };
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Caep + "session-revoked", new JsonObject { ["subject"] = subject, ["event_timestamp"] = Now }));
        Assert.Equal("session_revoked", await ReasonAsync(laptop));
        Assert.Null(await ReasonAsync(phone));
    }

    [Fact]
    public async Task Push_CaepCredentialChange_EndsTheUsersTokensIssuedBeforeTheEvent()
    {
        var sub = NewUser();
        var old = Token(sub, iatSeconds: -120);
        var newer = Token(sub, iatSeconds: -5);
        // SSF 1.0: the subject in the SET's sub_id.
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Caep + "credential-change",
            new JsonObject { ["credential_type"] = "password", ["change_type"] = "update", ["event_timestamp"] = Now - 60 }, subId: IssSub(sub)));
        Assert.Equal("user_version_stale", await ReasonAsync(old));
        Assert.Null(await ReasonAsync(newer));
    }

    [Fact]
    public async Task Push_RiscAccountDisabled_WithAMappedEmail_EndsTheUser()
    {
        var token = Token(SignalsGateway.MappedSub);
        var subject = new JsonObject { ["format"] = "email", ["email"] = "mapped@example.com" };
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Risc + "account-disabled", new JsonObject { ["subject"] = subject, ["reason"] = "hijacking" }));
        Assert.Equal("user_version_stale", await ReasonAsync(token));
    }

    [Fact]
    public async Task Push_CaepTokenClaimsChange_WithAnOpaqueSubject_EndsTheUsersEarlierTokens()
    {
        var sub = NewUser();
        var token = Token(sub);
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Caep + "token-claims-change",
            new JsonObject { ["subject"] = new JsonObject { ["format"] = "opaque", ["id"] = sub }, ["claims"] = new JsonObject { ["role"] = "none" } }));
        Assert.Equal("user_version_stale", await ReasonAsync(token));
    }

    [Fact]
    public async Task Push_UnknownEventType_AndUnmappableSubject_AreAcknowledged_AndChangeNothing()
    {
        var sub = NewUser();
        var token = Token(sub);
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, "https://example.com/event/something-new", new JsonObject { ["subject"] = IssSub(sub) }));
        // An email this transmitter does not map, an issuer the gateway does not know, a format it does not read.
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Risc + "account-purged", new JsonObject { ["subject"] = new JsonObject { ["format"] = "email", ["email"] = sub + "@example.com" } }));
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Risc + "account-purged", new JsonObject { ["subject"] = IssSub(sub, "https://unknown.test") }));
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Risc + "account-purged", new JsonObject { ["subject"] = new JsonObject { ["format"] = "phone_number", ["phone_number"] = "+1" } }));
        Assert.Null(await ReasonAsync(token));
    }

    [Fact]
    public async Task Events_AreCountedByTypeAndOutcome()
    {
        // This gateway's own instrument (its meter's scope is its IMeterFactory): other gateways in the test process
        // publish meters of the same name.
        var factory = fixture.Gateway.Services.GetRequiredService<IMeterFactory>();
        var counted = new ConcurrentBag<(string Type, string Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "gateway.signals.events" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? type = null, outcome = null;
            foreach (var tag in tags)
            {
                (type, outcome) = tag.Key switch { "type" => (tag.Value as string, outcome), "outcome" => (type, tag.Value as string), _ => (type, outcome) };
            }

            counted.Add((type!, outcome!));
        });
        listener.Start();

        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Risc + "account-disabled", new JsonObject { ["subject"] = IssSub(NewUser()) }));
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, "https://example.com/event/new", new JsonObject { ["subject"] = IssSub(NewUser()) }));
        await AcceptedAsync(SignalsGateway.Set(fixture.Key, Caep + "credential-change", new JsonObject { ["subject"] = new JsonObject { ["format"] = "email", ["email"] = "nobody@example.com" } }));
        using (var refused = await PushAsync(SignalsGateway.Set(fixture.Key, Risc + "account-disabled", new JsonObject(), audience: "https://other.test")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Contains(("risc.account-disabled", "applied"), counted);
        Assert.Contains(("other", "unknown_type"), counted);
        Assert.Contains(("caep.credential-change", "unmapped_subject"), counted);
        Assert.Contains(("none", "refused"), counted);
    }

    [Fact]
    public async Task Push_TheSameSetTwice_IsAcknowledgedBothTimes()
    {
        var set = SignalsGateway.Set(fixture.Key, Risc + "sessions-revoked", new JsonObject { ["subject"] = IssSub(NewUser()) }, jti: "replayed-" + Guid.NewGuid().ToString("N"));
        await AcceptedAsync(set);
        await AcceptedAsync(set);
        Assert.Contains(fixture.Gateway.Logs.Entries, e => e.EventId.Id == 5101 && e.Message.Contains("duplicate", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "audience", "invalid_audience" },
        { "issuer", "invalid_issuer" },
        { "impostor", "invalid_key" },
        { "unknown-kid", "invalid_key" },
        { "no-typ", "invalid_request" },
        { "jwt-typ", "invalid_request" },
        { "stale", "invalid_request" },
        { "future", "invalid_request" },
        { "garbage", "invalid_request" },
        { "content-type", "invalid_request" },
        { "no-events", "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Push_BadSet_Answers400WithTheRfc8935Error(string kind, string err)
    {
        var sub = NewUser();
        var token = Token(sub);
        var body = new JsonObject { ["subject"] = IssSub(sub) };
        const string type = Risc + "account-disabled";
        using var impostor = fixture.Key.Impostor();
        using var stranger = TestKey.Es256();
        var (set, contentType) = kind switch
        {
            "audience" => (SignalsGateway.Set(fixture.Key, type, body, audience: "https://other.test"), "application/secevent+jwt"),
            "issuer" => (SignalsGateway.Set(fixture.Key, type, body, issuer: "https://unknown.test"), "application/secevent+jwt"),
            "impostor" => (SignalsGateway.Set(impostor, type, body), "application/secevent+jwt"),
            "unknown-kid" => (SignalsGateway.Set(stranger, type, body), "application/secevent+jwt"),
            "no-typ" => (SignalsGateway.Set(fixture.Key, type, body, typ: null), "application/secevent+jwt"),
            "jwt-typ" => (SignalsGateway.Set(fixture.Key, type, body, typ: "JWT"), "application/secevent+jwt"),
            "stale" => (SignalsGateway.Set(fixture.Key, type, body, iat: Now - 7200), "application/secevent+jwt"),
            "future" => (SignalsGateway.Set(fixture.Key, type, body, iat: Now + 600), "application/secevent+jwt"),
            "garbage" => ("not.a.set", "application/secevent+jwt"),
            "content-type" => (SignalsGateway.Set(fixture.Key, type, body), "application/json"),
            _ => (TokenFactory.Sign($$"""{"alg":"ES256","kid":"{{fixture.Key.Kid}}","typ":"secevent+jwt"}""",
                new JsonObject { ["iss"] = TokenFactory.Issuer, ["aud"] = SignalsGateway.Audience, ["iat"] = Now, ["jti"] = "x1", ["events"] = new JsonObject() }.ToJsonString(), fixture.Key), "application/secevent+jwt"),
        };

        using var response = await PushAsync(set, contentType);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(err, answer["err"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(answer["description"]!.GetValue<string>()));
        Assert.Null(await ReasonAsync(token));
    }

    [Fact]
    public async Task Push_OversizedBody_Answers400()
    {
        using var response = await PushAsync(new string('a', 70_000));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Poll_AppliesTheTransmittersSets_AndAcknowledgesThemInTheNextPoll()
    {
        var sub = NewUser();
        var token = TokenFactory.Mint(fixture.PollIssuerKey, issuer: SignalsGateway.PollIssuer, sub: sub, iat: TimeSpan.FromSeconds(-5));
        Assert.Null(await ReasonAsync(token));

        var good = "poll-" + Guid.NewGuid().ToString("N");
        var bad = "poll-bad-" + Guid.NewGuid().ToString("N");
        // Signed by the transmitter's own key (its JwksUri), naming the user by email (EmailIsSubject).
        fixture.Enqueue(bad, SignalsGateway.Set(fixture.TransmitterKey, Risc + "account-purged", new JsonObject { ["subject"] = IssSub(sub, SignalsGateway.PollIssuer) },
            issuer: SignalsGateway.PollIssuer, audience: "https://other.test", jti: bad));
        fixture.Enqueue(good, SignalsGateway.Set(fixture.TransmitterKey, Risc + "account-purged", new JsonObject { ["subject"] = new JsonObject { ["format"] = "email", ["email"] = sub } },
            issuer: SignalsGateway.PollIssuer, jti: good));

        var clock = Stopwatch.StartNew();
        while (await ReasonAsync(token) != "user_version_stale")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the polled SET was not applied");
            await Task.Delay(50);
        }

        while (!fixture.Polls.Any(p => p["ack"]!.AsArray().Any(a => a!.GetValue<string>() == good)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the polled SET was never acknowledged");
            await Task.Delay(50);
        }

        var reported = fixture.Polls.First(p => p["setErrs"]?[bad] is not null);
        Assert.Equal("invalid_audience", reported["setErrs"]![bad]!["err"]!.GetValue<string>());
        Assert.DoesNotContain(fixture.Polls, p => p["ack"]!.AsArray().Any(a => a!.GetValue<string>() == bad));
        Assert.All(fixture.Polls, p => Assert.True(p["returnImmediately"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Push_WhileRedisIsDown_Answers503WithRetryAfter()
    {
        await using var redis = await RedisServer.StartAsync();
        var config = fixture.CreateConfig(redis.ConnectionString);
        // This instance must not consume the fixture's poll queue.
        config.Get("Gateway:Signals:Transmitters")!.AsArray().RemoveAt(1);
        await using var gateway = await GatewayHost.StartAsync(config);
        var set = SignalsGateway.Set(fixture.Key, Risc + "account-disabled", new JsonObject { ["subject"] = IssSub(NewUser()) });
        redis.Kill();
        using var response = await PushAsync(gateway, set);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Push_WhileTheTransmittersJwksCannotBeFetched_Answers503_SoTheSetIsNotLost()
    {
        await using var jwks = await JwksServer.StartAsync(fixture.TransmitterKey);
        jwks.Failing = true;
        var config = fixture.CreateConfig();
        var transmitter = config.Get("Gateway:Signals:Transmitters:1")!.AsObject();
        transmitter.Remove("PollEndpoint");
        transmitter["JwksUri"] = jwks.Url;
        await using var gateway = await GatewayHost.StartAsync(config);
        var set = SignalsGateway.Set(fixture.TransmitterKey, Risc + "account-disabled", new JsonObject { ["subject"] = IssSub(NewUser(), SignalsGateway.PollIssuer) },
            issuer: SignalsGateway.PollIssuer);
        using (var response = await PushAsync(gateway, set))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        // The transmitter retries after the JWKS is back (and the refetch cool-down, 5 s by default, is over).
        jwks.Failing = false;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var retry = await PushAsync(gateway, set);
            if (retry.StatusCode == HttpStatusCode.Accepted)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, retry.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), "the SET was never accepted after the JWKS came back");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Transmitter_ForAnIssuerThatIsNotConfigured_FailsStartNamingTheKey()
    {
        var config = fixture.CreateConfig();
        config.Get("Gateway:Signals:Transmitters")!.AsArray().RemoveAt(1);
        config.Get("Gateway:Signals:Transmitters:0")!.AsObject()["Issuer"] = "https://unknown.test";
        var error = await GatewayHost.StartExpectingFailureAsync(config);
        Assert.Contains("Gateway:Signals:Transmitters:0:Issuer", error.ToString(), StringComparison.Ordinal);
    }
}
