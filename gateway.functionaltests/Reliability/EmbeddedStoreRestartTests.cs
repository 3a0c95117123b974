using Gateway.Sessions.Embedded;
using Gateway.Gate.Refusals;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Hosting;
using Gateway.Sessions;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Reliability;

/// <summary>
/// The embedded store (no Redis) keeps every acknowledged revocation across a clean restart and across a crash
/// (SIGKILL of a real gateway process), because each one is in its journal file before the admin call answers.
/// </summary>
[Collection(TimingSensitiveCollection.Name)]
public sealed partial class EmbeddedStoreRestartTests(ReliabilityRig rig, ITestOutputHelper output) : IClassFixture<ReliabilityRig>, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "embedded-" + Guid.NewGuid().ToString("N"));

    private string JournalPath => Path.Combine(_directory, "gateway-state.journal");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private GatewayConfig CreateConfig() =>
        GatewayConfig.Standard(rig.Jwks.Url, rig.Backend.Url)
            .AddRoute("limited", "/limited/{**rest}", metadata: new Dictionary<string, string> { ["MaxUses"] = "3" })
            .WithAdminApiKeys(ReliabilityRig.ApiKey)
            .Set("Gateway:Embedded:Path", JournalPath);

    /// <summary>Tokens of four users, and what the admin API does to three of them.</summary>
    private sealed record Scenario(string RevokedToken, string RevokedSession, string RevokedUser, string Limited, string Live);

    private Scenario NewScenario()
    {
        var (a, b, c, d, e) = (ReliabilityRig.NewUser(), ReliabilityRig.NewUser(), ReliabilityRig.NewUser(), ReliabilityRig.NewUser(), ReliabilityRig.NewUser());
        return new Scenario(
            rig.Token(a, sid: "a-phone", jti: "a-1"),
            rig.Token(b, sid: "b-phone", jti: "b-1"),
            rig.Token(c, sid: "c-phone", jti: "c-1", iat: TimeSpan.FromSeconds(-2)),
            rig.Token(d, sid: "d-phone", jti: "d-1"),
            rig.Token(e, sid: "e-phone", jti: "e-1"));
    }

    private static string Sub(string token) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject;

    /// <summary>Revokes through the admin API (a token, a session, a user) and uses the limited token twice.</summary>
    private static async Task RevokeAsync(Func<string, object, Task> admin, Func<string, string, Task<string?>> get, Scenario s)
    {
        foreach (var token in new[] { s.RevokedToken, s.RevokedSession, s.RevokedUser, s.Live })
        {
            Assert.Null(await get("/api/before", token));
        }

        await admin("/admin/revoke/token", new { token = s.RevokedToken });
        await admin("/admin/revoke/session", new { sub = Sub(s.RevokedSession), sid = "b-phone" });
        await admin("/admin/revoke/user", new { sub = Sub(s.RevokedUser) });
        Assert.Null(await get("/limited/1", s.Limited));
        Assert.Null(await get("/limited/2", s.Limited));
    }

    /// <summary>After the restart: every revocation holds, the use count went on, the live token still passes.</summary>
    private static async Task AssertRememberedAsync(Func<string, string, Task<string?>> get, Scenario s)
    {
        Assert.Equal(Reasons.TokenRevoked.Code, await get("/api/after", s.RevokedToken));
        Assert.Equal(Reasons.SessionRevoked.Code, await get("/api/after", s.RevokedSession));
        Assert.Equal(Reasons.UserVersionStale.Code, await get("/api/after", s.RevokedUser));
        Assert.Null(await get("/limited/3", s.Limited));
        Assert.Equal(Reasons.UseLimitReached.Code, await get("/limited/4", s.Limited));
        Assert.Null(await get("/api/after", s.Live));
    }

    [Fact]
    public async Task Restart_RevokedTokensSessionsAndUsers_StayRefused()
    {
        var s = NewScenario();
        await using (var first = await GatewayHost.StartAsync(CreateConfig()))
        {
            Assert.Contains(first.Logs.Entries, e => e.EventId.Id == 3101 && e.Message.Contains(JournalPath, StringComparison.Ordinal));
            await RevokeAsync((path, body) => ReliabilityRig.AdminOkAsync(first, path, body), (path, token) => ReasonAsync(first, path, token), s);
        }

        var clock = Stopwatch.StartNew();
        await using var second = await GatewayHost.StartAsync(CreateConfig());
        var started = clock.Elapsed;
        var journal = second.Services.GetRequiredService<EmbeddedSessionStore>().Journal!;
        output.WriteLine($"restart: host started in {started.TotalMilliseconds:0} ms, journal {journal.Length} bytes, {journal.LiveCount} records replayed in {journal.ReplayDuration.TotalMilliseconds:0.0} ms");
        await AssertRememberedAsync((path, token) => ReasonAsync(second, path, token), s);
    }

    [Fact]
    public async Task Kill9_OfARealGatewayProcess_LosesNoAcknowledgedRevocation()
    {
        var s = NewScenario();
        Directory.CreateDirectory(_directory);
        var config = CreateConfig()
            .Set("Urls", $"http://127.0.0.1:{FreePort.Next()}")
            .Set("Gateway:Admin:Urls", $"http://127.0.0.1:{FreePort.Next()}");
        var configPath = Path.Combine(_directory, "appsettings.json");
        await File.WriteAllTextAsync(configPath, config.ToJson());
        var publicUrl = new Uri(config.Get("Urls")!.GetValue<string>() + "/");
        var adminUrl = new Uri(config.Get("Gateway:Admin:Urls")!.GetValue<string>() + "/");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

        async Task<string?> Get(string path, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(publicUrl, path.TrimStart('/')));
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            using var response = await client.SendAsync(request);
            return await ReasonOfAsync(response);
        }

        async Task Admin(string path, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(adminUrl, path.TrimStart('/'))) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Api-Key", ReliabilityRig.ApiKey);
            using var response = await client.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
        }

        using (var first = await ChildGateway.StartAsync(configPath, adminUrl, client))
        {
            await RevokeAsync(Admin, Get, s);
            // SIGKILL: no shutdown, no flush, no dispose. Whatever the admin API acknowledged must already be on disk.
            first.Kill();
        }

        using var second = await ChildGateway.StartAsync(configPath, adminUrl, client);
        output.WriteLine($"after kill -9: process ready in {second.ReadyAfter.TotalMilliseconds:0} ms; {second.ReplayLine()}");
        await AssertRememberedAsync(Get, s);
        second.Kill();
    }

    private static async Task<string?> ReasonAsync(GatewayHost gateway, string path, string token)
    {
        using var response = await gateway.GetAsync(path, token);
        return await ReasonOfAsync(response);
    }

    /// <summary>Null for a pass (200), else the refusal reason (or the status, when there is none).</summary>
    private static async Task<string?> ReasonOfAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (body.TryGetProperty("reason", out var reason))
            {
                return reason.GetString();
            }
        }

        return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The gateway as its own process (<c>dotnet Gateway.dll --config ...</c>), so it can be SIGKILLed.</summary>
    private sealed partial class ChildGateway : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private ChildGateway(Process process)
        {
            _process = process;
        }

        public TimeSpan ReadyAfter { get; private set; }

        public static async Task<ChildGateway> StartAsync(string configPath, Uri adminUrl, HttpClient client)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(configPath)!,
            };
            start.ArgumentList.Add(typeof(GatewayApp).Assembly.Location);
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configPath);
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var clock = Stopwatch.StartNew();
            var child = new ChildGateway(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
            child._process.OutputDataReceived += (_, e) => child.Add(e.Data);
            child._process.ErrorDataReceived += (_, e) => child.Add(e.Data);
            child._process.BeginOutputReadLine();
            child._process.BeginErrorReadLine();
            try
            {
                await ReliabilityRig.WaitUntilAsync(
                    async () =>
                    {
                        Assert.False(child._process.HasExited, "the gateway exited:\n" + child.Output());
                        try
                        {
                            using var response = await client.GetAsync(new Uri(adminUrl, "readyz"));
                            return response.IsSuccessStatusCode;
                        }
                        catch (HttpRequestException)
                        {
                            return false;
                        }
                    },
                    TimeSpan.FromSeconds(30),
                    "the gateway process answers /readyz");
                child.ReadyAfter = clock.Elapsed;
                return child;
            }
            catch
            {
                child.Dispose();
                throw;
            }
        }

        /// <summary>The start-up line that says how many records were restored, and how fast.</summary>
        public string ReplayLine()
        {
            lock (_lines)
            {
                return _lines.Select(l => ReplayPattern().Match(l)).FirstOrDefault(m => m.Success)?.Value ?? "(no replay line)";
            }
        }

        public void Kill()
        {
            if (!_process.HasExited)
            {
                // Process.Kill is SIGKILL on Unix.
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        }

        private string Output()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }

        [GeneratedRegex(@"\d+ records restored in [\d.]+ ms")]
        private static partial Regex ReplayPattern();
    }
}
