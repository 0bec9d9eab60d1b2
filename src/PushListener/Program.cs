using PushListener.Cli;
using PushListener.Hosting;
using Serilog;

if (HostCommandLine.Handles(args))
{
    return await HostCommandLine.RunAsync(args);
}

// Stage one: a console logger until the configuration is read; stage two is the host's configured logger.
Log.Logger = LoggingSetup.CreateBootstrapLogger();
WebApplication? app = null;
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddPushListenerHosting();
    builder.Services.AddPushListener(builder.Configuration);

    app = builder.Build();
    app.ValidatePushListenerConfiguration();
    app.UsePushListener();
    app.MapPushListener();
    await app.StartAsync();
    await app.WaitForShutdownAsync();
    return 0;
}
catch (ConfigurationErrorsException ex)
{
    // Not a crash: a list of settings to fix, without a stack trace.
    LastWords(app).Fatal("PushListener did not start: the configuration has {ErrorCount} error(s): {ConfigurationErrors}", ex.Errors.Count, ex.Errors);
    return 1;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    LastWords(app).Fatal(ex, "PushListener failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    if (app is not null)
    {
        await app.DisposeAsync();
    }

    await Log.CloseAndFlushAsync();
}

// The configured sinks once the host exists (a file, JSON), else the bootstrap console.
static Serilog.ILogger LastWords(WebApplication? app) => (app?.Services.GetService<HostLogger>()?.Logger ?? Log.Logger).ForContext("SourceContext", "PushListener");

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program;
