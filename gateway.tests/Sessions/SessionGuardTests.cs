using System.Diagnostics.Metrics;
using Gateway.Sessions;
using Gateway.Telemetry;
using Gateway.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Read = Gateway.Tests.Sessions.ScriptedReadStore.Read;

namespace Gateway.Tests.Sessions;

/// <summary>
/// The guard answers a completed read at once, waits for a pending one, and serves last-known state under
/// FailureMode=Open whether the store fails at once or later; never for a rule that needs the live store.
/// </summary>
public sealed class SessionGuardTests : IDisposable
{
    private static readonly VerifiedToken Token = new("https://issuer.example", "alice", "s1", "j1", 100, 200, null, null);
    private static readonly SessionState Live = new(3, 0, false, false, null);
    private static readonly SessionState Known = new(2, 0, false, false, null);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ScriptedReadStore _store = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Read_CompletedByTheStore_IsAnsweredAtOnce()
    {
        _store.Next = Read.Completed;
        _store.Current = Live;

        var reading = Guard(FailureMode.Closed).ReadAsync(Token, "api", null, false, CancellationToken.None);

        Assert.True(reading.IsCompletedSuccessfully);
        Assert.Equal(Live, await reading);
    }

    [Fact]
    public async Task Read_PendingInTheStore_CompletesWithTheStore()
    {
        _store.Next = Read.Pending;

        var reading = Guard(FailureMode.Closed).ReadAsync(Token, "api", null, false, CancellationToken.None);
        Assert.False(reading.IsCompleted);
        _store.Later.SetResult(Live);

        Assert.Equal(Live, await reading);
    }

    [Theory]
    [InlineData(Read.ThrowsAtOnce, FailureMode.Open, null)]
    [InlineData(Read.FaultsLater, FailureMode.Open, null)]
    [InlineData(Read.ThrowsAtOnce, FailureMode.Closed, FailureMode.Open)]
    [InlineData(Read.FaultsLater, FailureMode.Closed, FailureMode.Open)]
    public async Task Read_StoreDownUnderFailureModeOpen_ServesLastKnown(Read failure, FailureMode defaultMode, FailureMode? routeMode)
    {
        _store.Next = failure;
        _store.LastKnown = Known;

        Assert.Equal(Known, await Guard(defaultMode).ReadAsync(Token, "api", routeMode, false, CancellationToken.None));
    }

    [Theory]
    [InlineData(Read.ThrowsAtOnce, FailureMode.Closed, false, true)]
    [InlineData(Read.FaultsLater, FailureMode.Closed, false, true)]
    [InlineData(Read.ThrowsAtOnce, FailureMode.Open, true, true)]
    [InlineData(Read.FaultsLater, FailureMode.Open, true, true)]
    [InlineData(Read.ThrowsAtOnce, FailureMode.Open, false, false)]
    [InlineData(Read.FaultsLater, FailureMode.Open, false, false)]
    public async Task Read_StoreDown_ThrowsWhenLastKnownMayNotOrCannotServe(Read failure, FailureMode mode, bool needsLiveStore, bool lastKnown)
    {
        _store.Next = failure;
        _store.LastKnown = lastKnown ? Known : null;

        await Assert.ThrowsAsync<SessionStoreUnavailableException>(async () =>
            await Guard(mode).ReadAsync(Token, "api", null, needsLiveStore, CancellationToken.None));
    }

    private SessionGuard Guard(FailureMode mode) =>
        new(_store, Options.Create(new SessionOptions { FailureMode = mode }), new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()),
            NullLogger<SessionGuard>.Instance);
}
