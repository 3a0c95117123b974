using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Gate.Refusals;
using Gateway.Telemetry;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using System.Diagnostics.Metrics;

namespace Gateway.FunctionalTests.IdentityProviders;

/// <summary>
/// What an identity provider posting back-channel logouts sees: a refused logout token is a Warning (event 5002)
/// and counted in <c>gateway.logout.tokens</c>; a multipart body is refused before it is read; a logout whose
/// revocation failed (Redis down) answers 503 and can be sent again with the same token once Redis is back.
/// </summary>
public sealed class LogoutDeliveryTests(SessionGateway fixture) : IClassFixture<SessionGateway>
{
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static string LogoutToken(TestKey key, string sub, string? sid, string audience = TokenFactory.LogoutClient)
    {
        var payload = TokenFactory.Claims(sub);
        payload.Remove("nbf");
        payload["aud"] = audience;
        payload["events"] = new JsonObject { [LogoutEvent] = new JsonObject() };
        if (sid is not null)
        {
            payload["sid"] = sid;
        }

        var header = new JsonObject { ["alg"] = key.Alg, ["typ"] = "logout+jwt", ["kid"] = key.Kid };
        return TokenFactory.Sign(header.ToJsonString(), payload.ToJsonString(), key);
    }

    private static Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string logoutToken) =>
        gateway.PublicClient.PostAsync("/backchannel-logout", new FormUrlEncodedContent([new("logout_token", logoutToken)]));

    [Fact]
    public async Task RefusedLogoutToken_IsAWarningWithEvent5002_AndCounted()
    {
        var gateway = fixture.Gateway;

        // This host's own instrument: /metrics of a test process that also starts and stops other gateways can lose
        // the stream when another host's meter is disposed (every MeterProvider in the process sees every Gateway meter).
        using var counted = new MetricCollector<long>(gateway.Services.GetRequiredService<IMeterFactory>(), GatewayMetrics.MeterName, "gateway.logout.tokens");
        var token = LogoutToken(fixture.Key, "user-" + Guid.NewGuid().ToString("N")[..8], "s1", audience: "not-a-logout-client");

        using var response = await PostAsync(gateway, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = await gateway.Logs.WaitForAsync(e => e.EventId.Id == LogEvents.LogoutRefused && e.Message.Contains("not among the issuer's LogoutAudiences", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains(Reasons.InvalidAudience.Code, line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], gateway.Logs.AllText(), StringComparison.Ordinal);

        var measurement = Assert.Single(counted.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("refused", measurement.Tags["outcome"]);
        Assert.Equal(Reasons.InvalidAudience.Code, measurement.Tags["reason"]);
    }

    [Fact]
    public async Task MultipartBody_IsRefusedWithoutBeingRead()
    {
        // Announce 10 MB and send only the first bytes: the answer must come without the gateway waiting for (or
        // spooling) the rest.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Gateway.PublicUrl.Port);
        var stream = client.GetStream();
        var head = "POST /backchannel-logout HTTP/1.1\r\n" +
            $"Host: 127.0.0.1:{fixture.Gateway.PublicUrl.Port}\r\n" +
            "Content-Type: multipart/form-data; boundary=b0undary\r\n" +
            "Content-Length: 10485760\r\n\r\n" +
            "--b0undary\r\nContent-Disposition: form-data; name=\"logout_token\"\r\n\r\n" + new string('a', 1000);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var received = new StringBuilder();
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the gateway closed the connection without an answer");
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.StartsWith("HTTP/1.1 400", received.ToString(), StringComparison.Ordinal);

        // A whole (small) multipart body gets the same answer.
        using var content = new MultipartFormDataContent { { new StringContent(LogoutToken(fixture.Key, "someone", "s1")), "logout_token" } };
        using var response = await fixture.Gateway.PublicClient.PostAsync("/backchannel-logout", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("application/x-www-form-urlencoded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogoutWhileRedisIsDown_Answers503_AndTheSameTokenWorksOnceRedisIsBack()
    {
        using var key = TestKey.Es256();
        await using var jwks = await JwksServer.StartAsync(key);
        await using var backend = await RecordingBackend.StartAsync();
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions { AppendOnly = true });
        var config = GatewayConfig.Standard(jwks.Url, backend.Url)
            .WithRedis(redis.ConnectionString, TimeSpan.FromMilliseconds(500))
            .Set("Gateway:Redis:DataLossCutoff", false);
        config.Issuer()["LogoutAudiences"] = new JsonArray(TokenFactory.LogoutClient);
        await using var gateway = await GatewayHost.StartAsync(config);

        var access = TokenFactory.Mint(key, sub: "alice", sid: "laptop", iat: TimeSpan.FromSeconds(-2));
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("/api/x", access)).StatusCode);
        var logout = LogoutToken(key, "alice", "laptop");

        redis.Kill();
        using (var failed = await PostAsync(gateway, logout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.NotNull(failed.Headers.RetryAfter);
            var body = JsonNode.Parse(await failed.Content.ReadAsStringAsync())!;
            Assert.Equal("temporarily_unavailable", body["error"]!.GetValue<string>());
        }

        await redis.RestartAsync();
        await WaitUntilReadyAsync(gateway);

        // The provider retries with the same logout token: not a replay, since nothing was applied.
        using (var retried = await PostAsync(gateway, logout))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        await Refusals.AssertInvalidTokenAsync(await gateway.GetAsync("/api/x", access), Reasons.SessionRevoked.Code);
        using var replay = await PostAsync(gateway, logout);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("replayed", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task WaitUntilReadyAsync(GatewayHost gateway)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            using (var response = await gateway.AdminClient.GetAsync(new Uri("readyz", UriKind.Relative), timeout.Token))
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
