using System.Diagnostics;
using System.Net;
using System.Text;
using Gateway.Hosting;
using Gateway.Testing;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// The admin listener can revoke anyone's sessions: it must not start exposed without keys, must bound what it
/// reads, and must make key guessing slow.
/// </summary>
public sealed class AdminSurfaceTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>
{
    private GatewayConfig InProcessConfig() => GatewayConfig.Standard(rig.Jwks.Url, rig.Backend.Url);

    [Theory]
    [InlineData("http://0.0.0.0:{0}")]
    [InlineData("http://[::]:{0}")]
    [InlineData("http://*:{0}")]
    [InlineData("http://127.0.0.1:{0};http://0.0.0.0:{1}")]
    public async Task Startup_NonLoopbackAdminListenerWithoutKeys_RefusedNamingTheKey(string urls)
    {
        var config = InProcessConfig().Set("Gateway:Admin:Urls", string.Format(System.Globalization.CultureInfo.InvariantCulture, urls, FreePort.Next(), FreePort.Next()));

        var error = await GatewayHost.StartExpectingFailureAsync(config);

        var lines = StartupErrors.Describe(error).ToList();
        Assert.Contains(lines, l => l.Contains("Gateway:Admin:ApiKeys", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AdminBody_LargerThanMaxBodySize_413(bool contentLength)
    {
        await using var gateway = await GatewayHost.StartAsync(InProcessConfig().WithAdminApiKeys(ReliabilityRig.ApiKey));
        var json = $$"""{"sub":"alice","sid":"s1","padding":"{{new string('x', 20 * 1024)}}"}""";
        HttpContent content = contentLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new PushStreamContent(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/revoke/session") { Content = content };
        request.Headers.Add("X-Api-Key", ReliabilityRig.ApiKey);

        using var response = await gateway.AdminClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task FailedAuthentication_Repeated_IsSlowedDown_ValidKeyStillFast()
    {
        await using var gateway = await GatewayHost.StartAsync(InProcessConfig().WithAdminApiKeys(ReliabilityRig.ApiKey));
        // Warm the admin path (JIT, connection) first: a slow first call on a loaded machine hid the growth once.
        using (var warm = await ReliabilityRig.AdminPostAsync(gateway, "/admin/introspect", new { token = rig.Token("alice") }))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var times = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await ReliabilityRig.AdminPostAsync(gateway, "/admin/revoke/user", new { sub = "alice" }, apiKey: "wrong-key-" + i + "-0123456789");
            times.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var valid = Stopwatch.StartNew();
        using (var ok = await ReliabilityRig.AdminPostAsync(gateway, "/admin/introspect", new { token = rig.Token("alice") }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        output.WriteLine($"failed admin authentications took {string.Join(", ", times.Select(t => $"{t.TotalMilliseconds:0} ms"))}; a valid key then {valid.Elapsed.TotalMilliseconds:0} ms");
        // Held 100, 200, 400 and 800 ms: a busy machine only adds to each, so the 4th is judged by its own floor.
        Assert.True(times[^1] >= TimeSpan.FromMilliseconds(700) && times[^1] > times[0], "the 4th failure should be held about 800 ms, longer than the 1st");
        Assert.True(times[0] >= TimeSpan.FromMilliseconds(90), "even the first failure is held a little");
    }

    /// <summary>A JSON body sent chunked (no Content-Length), so only the server's read limit can stop it.</summary>
    private sealed class PushStreamContent : HttpContent
    {
        private readonly string _json;

        public PushStreamContent(string json)
        {
            _json = json;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var bytes = Encoding.UTF8.GetBytes(_json);
            for (var offset = 0; offset < bytes.Length; offset += 4096)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
