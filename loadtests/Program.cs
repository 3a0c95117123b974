using System.Runtime.InteropServices;
using LoadTests.Cli;
using LoadTests.Commands;
using LoadTests.Engine;
using LoadTests.Hosting;

// The servers keep the runtime's defaults, as the gateway and the peers do; everything else is the generator.
if (args.FirstOrDefault() is not ("backend" or "baseline"))
{
    GeneratorRuntime.Apply();
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

try
{
    var line = CommandLine.Parse(args);
    return line.Command switch
    {
        "backend" => await ServerCommands.BackendAsync(line, cancellation.Token),
        "baseline" => await ServerCommands.BaselineAsync(line, cancellation.Token),
        "mint" => await MintCommand.RunAsync(line, cancellation.Token),
        "run" => await RunCommand.RunAsync(line, cancellation.Token),
        "compare" => await CompareCommand.RunAsync(line, cancellation.Token),
        "soak" => await SoakCommand.RunAsync(line, cancellation.Token),
        "allocs" => await AllocsCommand.RunAsync(line, cancellation.Token),
        "selftest" => SelfTest.Run(),
        _ => Usage.Print(line.Command),
    };
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("cancelled; stopping everything this run started");
    return 130;
}
catch (Exception ex) when (ex is FormatException or InvalidOperationException or TimeoutException or FileNotFoundException or IOException)
{
    await Console.Error.WriteLineAsync($"loadtests: {ex.Message}");
    return 1;
}
finally
{
    ChildProcesses.StopAll();
}
