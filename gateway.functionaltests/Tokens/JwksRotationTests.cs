using Gateway.Gate.Refusals;
using System.Net;
using Gateway.Testing;
using Gateway.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FunctionalTests.Tokens;

/// <summary>
/// Keys fetched from a JWKS URI: an unknown kid triggers a refetch, at most once per cool-down (default 5 s), and a
/// failed fetch keeps the last good set. Time is a FakeTimeProvider (starting now), so no test sleeps.
/// </summary>
public sealed class JwksRotationTests : IAsyncLifetime
{
    private readonly TestKey _k1 = TestKey.Es256("k1");
    private readonly TestKey _k2 = TestKey.Es256("k2");
    private readonly TestKey _k3 = TestKey.Es256("k3");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private JwksServer _jwks = null!;
    private RecordingBackend _backend = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _jwks = await JwksServer.StartAsync(_k1);
        _backend = await RecordingBackend.StartAsync();
        _gateway = await GatewayHost.StartAsync(
            GatewayConfig.Standard(_jwks.Url, _backend.Url),
            new GatewayHostOptions { Configure = b => b.Services.AddSingleton<TimeProvider>(_time) });
    }

    [Fact]
    public async Task Start_JwksUri_FetchesOnceBeforeServing()
    {
        Assert.Equal(1, _jwks.FetchCount);

        using var response = await _gateway.GetAsync("/api/start", TokenFactory.Mint(_k1));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _jwks.FetchCount);
    }

    [Fact]
    public async Task Get_RotatedKeyAfterCooldown_RefetchesOnceAndAccepts()
    {
        _time.Advance(TimeSpan.FromSeconds(6));
        _jwks.SetKeys(_k1, _k2);

        using var first = await _gateway.GetAsync("/api/rotated", TokenFactory.Mint(_k2));
        using var second = await _gateway.GetAsync("/api/rotated", TokenFactory.Mint(_k2));
        using var old = await _gateway.GetAsync("/api/rotated", TokenFactory.Mint(_k1));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(2, _jwks.FetchCount);
    }

    [Fact]
    public async Task Get_UnknownKidsWithinCooldown_RefetchAtMostOnce()
    {
        _time.Advance(TimeSpan.FromSeconds(6));
        using var attacker = TestKey.Es256();

        for (var i = 0; i < 20; i++)
        {
            using var response = await _gateway.GetAsync("/api/unknown", TokenFactory.Mint(attacker, kid: $"unknown-{i}"));
            await Refusals.AssertInvalidTokenAsync(response, Reasons.UnknownKey.Code);
        }

        Assert.Equal(2, _jwks.FetchCount);
        Assert.Empty(_backend.Requests);
    }

    [Fact]
    public async Task Get_KeyPublishedWithinCooldown_RefusedUntilCooldownPasses()
    {
        _time.Advance(TimeSpan.FromSeconds(6));
        using var probe = await _gateway.GetAsync("/api/early", TokenFactory.Mint(_k3));
        await Refusals.AssertInvalidTokenAsync(probe, Reasons.UnknownKey.Code);
        Assert.Equal(2, _jwks.FetchCount);

        _jwks.SetKeys(_k1, _k3);
        _time.Advance(TimeSpan.FromSeconds(2));
        using var tooSoon = await _gateway.GetAsync("/api/early", TokenFactory.Mint(_k3));
        await Refusals.AssertInvalidTokenAsync(tooSoon, Reasons.UnknownKey.Code);
        Assert.Equal(2, _jwks.FetchCount);
        Assert.Empty(_backend.Requests);

        _time.Advance(TimeSpan.FromSeconds(4));
        using var later = await _gateway.GetAsync("/api/early", TokenFactory.Mint(_k3));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.Equal(3, _jwks.FetchCount);
    }

    [Fact]
    public async Task Get_UnknownKidWhileJwksFails_KeepsLastGoodKeys()
    {
        _time.Advance(TimeSpan.FromSeconds(6));
        _jwks.Failing = true;

        using var unknown = await _gateway.GetAsync("/api/failing", TokenFactory.Mint(_k2));
        using var known = await _gateway.GetAsync("/api/failing", TokenFactory.Mint(_k1));

        await Refusals.AssertInvalidTokenAsync(unknown, Reasons.UnknownKey.Code);
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(2, _jwks.FetchCount);
    }

    [Fact]
    public async Task Get_KeyRemovedFromJwks_RefusedAfterRefetch()
    {
        // Rotation out: once a refetch drops k1, its tokens stop verifying (the cache of verified tokens aside).
        _time.Advance(TimeSpan.FromSeconds(6));
        _jwks.SetKeys(_k2);
        using var trigger = await _gateway.GetAsync("/api/removed", TokenFactory.Mint(_k2));
        Assert.Equal(HttpStatusCode.OK, trigger.StatusCode);

        using var response = await _gateway.GetAsync("/api/removed/k1", TokenFactory.Mint(_k1));

        await Refusals.AssertInvalidTokenAsync(response, Reasons.UnknownKey.Code);
        Assert.Empty(_backend.RequestsTo("/api/removed/k1"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
        await _jwks.DisposeAsync();
        _k1.Dispose();
        _k2.Dispose();
        _k3.Dispose();
    }
}
