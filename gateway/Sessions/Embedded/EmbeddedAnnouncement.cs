using Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Embedded;

/// <summary>Says at start-up that the embedded store is in use, where its journal is and what it restored.</summary>
internal sealed partial class EmbeddedAnnouncement(EmbeddedSessionStore store, IOptions<EmbeddedOptions> options, ILogger<EmbeddedSessionStore> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var journal = store.Journal!;
        Log.Embedded(logger, journal.FilePath, options.Value.Durability, journal.LiveCount, journal.ReplayDuration.TotalMilliseconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.EmbeddedStore, Level = LogLevel.Warning, Message = "No Gateway:Redis:Configuration: using the embedded session store, kept in {Path} (Gateway:Embedded:Path, durability {Durability}); {Records} records restored in {Milliseconds:F1} ms. One instance only: its revocations are not shared with other instances")]
        public static partial void Embedded(ILogger logger, string path, JournalDurability durability, int records, double milliseconds);
    }
}
