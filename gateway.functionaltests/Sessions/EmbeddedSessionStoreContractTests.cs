using static Gateway.Testing.TestUsers;
using Gateway.Sessions;
using Gateway.Sessions.Embedded;
using Gateway.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.FunctionalTests.Sessions;

/// <summary>The store contract, against the in-process store writing through its journal.</summary>
public sealed class EmbeddedSessionStoreContractTests : SessionStoreContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "contract-" + Guid.NewGuid().ToString("N"));
    private EmbeddedJournal? _journal;
    private EmbeddedSessionStore? _store;

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        _journal = EmbeddedJournal.Open(Path.Combine(_directory, "state.journal"), TimeProvider.System, NullLogger.Instance);
        _store = new EmbeddedSessionStore(TimeProvider.System, new DenylistLifetime(TimeProvider.System, Options.Create(new TokenOptions())), new RevocationNotifier(), _journal);
        return Task.FromResult<ISessionStore>(_store);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _store?.Dispose();
        _journal?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
