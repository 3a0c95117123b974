namespace LoadTests.Engine;

/// <summary>
/// Runtime settings of the load generator's own process. The generator shares the machine's cores with the proxies it
/// measures, so what it spends they lose: measured against bare YARP, its thread pool's spin-waiting (sched_yield) and
/// the hop from the socket engine's thread to a pool thread for every response cost it about half its CPU per request
/// (24 µs with both, 11 µs with neither; wrk took 9 µs). The servers the tool starts (backend, bare YARP, the gateway,
/// the peers) keep the runtime's defaults: <see cref="ForChild"/> takes the generator's settings out of their environment.
/// </summary>
internal static class GeneratorRuntime
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private static string? _inherited;
    private static bool _applied;

    /// <summary>Called first in Main, before the thread pool or a socket starts, by every command but the servers.</summary>
    public static void Apply()
    {
        _inherited = Environment.GetEnvironmentVariable(InlineCompletions);
        _applied = true;
        AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
        // Responses continue on the socket engine's thread; the generator never blocks in a continuation.
        Environment.SetEnvironmentVariable(InlineCompletions, "1");
    }

    /// <summary>A child process's environment as it was before <see cref="Apply"/>.</summary>
    public static void ForChild(IDictionary<string, string?> environment)
    {
        if (!_applied)
        {
            return;
        }

        if (_inherited is null)
        {
            environment.Remove(InlineCompletions);
        }
        else
        {
            environment[InlineCompletions] = _inherited;
        }
    }
}
