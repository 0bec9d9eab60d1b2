using PushListener.Cli;
using PushListener.Hosting;
using Serilog;

if (ManagedCommandLine.Handles(args))
{
    return await ManagedCommandLine.RunAsync(args, Console.Out, Console.Error);
}

if (AdminCommandLine.Handles(args))
{
    return await AdminCommandLine.RunAsync(args, Console.Out, Console.Error);
}

Log.Logger = LoggingSetup.CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddPushListenerLogging();
    builder.Services.AddPushListener(builder.Configuration);

    var app = builder.Build();
    app.UsePushListener();
    app.MapPushListener();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "PushListener failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
