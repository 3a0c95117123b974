using Gateway.Development;
using Gateway.Health;
using Gateway.Hosting;
using Microsoft.Extensions.Configuration;

if (args.Length > 0 && args[0] == MintTokenCommand.Name)
{
    return MintTokenCommand.Run(ConfigFileLocator.Strip(args), GatewayConfiguration.ForTool(args), Console.Out, Console.Error);
}

if (args.Length > 0 && args[0] == HealthCheckCommand.Name)
{
    return await HealthCheckCommand.RunAsync(args, Console.Out, Console.Error);
}

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    foreach (var line in StartupErrors.Describe(ex))
    {
        await Console.Error.WriteLineAsync($"Gateway failed to start: {line}");
    }

    return 1;
}
