using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace LoadTests.Engine;

/// <summary>
/// What a running .NET process allocates while the meter runs: an EventPipe session on the runtime's allocation ticks
/// (one event per about 100 KB allocated on a heap, naming the type that crossed the mark). The byte total is exact to
/// a tick per heap; the shares by type are a sample, weighted by size. Divided by the requests served it gives bytes per
/// request, which, unlike RPS or CPU time, does not drift with the host's speed.
/// </summary>
internal sealed class AllocationMeter : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private readonly Dictionary<string, long> _byType = new(StringComparer.Ordinal);
    private long _total;
    private int _collections;
    private bool _stopped;

    private AllocationMeter(EventPipeSession session)
    {
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Clr.GCAllocationTick += e =>
        {
            var name = e.TypeName ?? "?";
            _byType[name] = _byType.GetValueOrDefault(name) + e.AllocationAmount64;
            _total += e.AllocationAmount64;
        };
        _source.Clr.GCStart += _ => _collections++;
        _processing = Task.Run(_source.Process, CancellationToken.None);
    }

    /// <summary>Starts a meter on <paramref name="pid"/>; throws when the process has no diagnostics port (not .NET, or disabled).</summary>
    public static AllocationMeter Start(int pid)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC) };
        return new AllocationMeter(client.StartEventPipeSession(providers, requestRundown: false));
    }

    /// <summary>A meter on <paramref name="pid"/>, or null (with the reason) when the process cannot be listened to.</summary>
    public static AllocationMeter? TryStart(int pid, out string? failure)
    {
        try
        {
            failure = null;
            return Start(pid);
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            failure = e.Message;
            return null;
        }
    }

    /// <summary>Ends the session and gives what was allocated since the start (up to the process's exit, if it exited).</summary>
    public async Task<AllocationTally> StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            try
            {
                await _session.StopAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is ServerNotAvailableException or IOException or TimeoutException)
            {
                // The process is gone (or stopped answering): the stream ends, and what was counted stands.
                _session.Dispose();
            }

            await _processing;
        }

        return new AllocationTally(_total, _collections, _byType.OrderByDescending(p => p.Value).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _source.Dispose();
        _session.Dispose();
    }
}

/// <summary>Bytes allocated, garbage collections started, and the sampled bytes by type (largest first).</summary>
internal sealed record AllocationTally(long Bytes, int Collections, IReadOnlyList<KeyValuePair<string, long>> ByType);
