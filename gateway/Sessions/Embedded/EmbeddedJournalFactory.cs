using Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions.Embedded;

/// <summary>Opens the configured journal at start-up; a file that cannot be opened or trusted fails start-up naming the key.</summary>
internal static class EmbeddedJournalFactory
{
    public static EmbeddedJournal Open(IOptions<EmbeddedOptions> options, IHostEnvironment environment, TimeProvider time, ILoggerFactory loggers)
    {
        var settings = options.Value;
        var path = Path.IsPathRooted(settings.Path) ? settings.Path : Path.Combine(environment.ContentRootPath, settings.Path);
        try
        {
            return EmbeddedJournal.Open(path, time, loggers.CreateLogger<EmbeddedJournal>(), settings.Durability, settings.CompactionThreshold);
        }
        catch (Exception ex) when (ex is JournalCorruptException or IOException or UnauthorizedAccessException)
        {
            throw new GatewayConfigurationException([$"{EmbeddedOptions.SectionName}:Path: {ex.Message}"]);
        }
    }
}
