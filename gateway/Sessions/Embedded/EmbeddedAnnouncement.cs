using Gateway.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sessions.Embedded;

/// <summary>Says at start-up that the embedded store is in use, and what that means.</summary>
internal sealed partial class EmbeddedAnnouncement(ILogger<EmbeddedSessionStore> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.Embedded(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.EmbeddedStore, Level = LogLevel.Warning, Message = "No Gateway:Redis:Configuration: using the embedded session store. Revocations are kept by this instance only, not shared with other instances")]
        public static partial void Embedded(ILogger logger);
    }
}
