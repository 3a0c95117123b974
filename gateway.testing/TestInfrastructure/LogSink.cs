using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing;

/// <summary>One captured log line.</summary>
public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Captures everything a host logs, for assertions (e.g. that no token ever reaches a log line).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    /// <summary>Every captured line as text, exception text included.</summary>
    public string AllText() => string.Join('\n', _entries.Select(e => $"{e.Level} {e.Category}[{e.EventId.Id}] {e.Message} {e.Exception}"));

    /// <summary>Waits until a captured line satisfies <paramref name="predicate"/>; returns it.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_entries.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            try
            {
                await Task.Delay(25, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No matching log line; captured:\n" + AllText());
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
