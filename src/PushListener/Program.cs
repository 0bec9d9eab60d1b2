using PushListener.Cli;
using PushListener.Hosting;
using Serilog;

// 'managed' talks to a running service's admin API; the other commands and --help answer from here (System.CommandLine).
if (ManagedCommandLine.Handles(args))
{
    return await ManagedCommandLine.RunAsync(args, Console.Out, Console.Error);
}

if (HostCommandLine.Handles(args))
{
    return await HostCommandLine.RunAsync(args);
}

// Stage one: a console logger until the configuration is read; stage two is the host's configured logger.
Log.Logger = LoggingSetup.CreateBootstrapLogger();
WebApplicationBuilder? builder = null;
WebApplication? app = null;
try
{
    builder = WebApplication.CreateBuilder(args);
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
    await using var last = LastWords(builder, app);
    last.Logger.Fatal("PushListener did not start: the configuration has {ErrorCount} error(s): {ConfigurationErrors}", ex.Errors.Count, ex.Errors);
    return 1;
}
catch (PushListener.Storage.StorageUnavailableException ex)
{
    // Logged with its stack trace by the host already (and in one line before that): once is enough.
    await using var last = LastWords(builder, app);
    last.Logger.Fatal("PushListener did not start: {Reason}", ex.Message);
    return 1;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    await using var last = LastWords(builder, app);
    last.Logger.Fatal(ex, "PushListener failed to start or stopped unexpectedly");
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

// The configured sinks (a file, JSON): the host's logger once it exists, else one made from the configuration read so far
// (a plugin that failed while services were added); the bootstrap console only if even that fails.
static LastWordsLogger LastWords(WebApplicationBuilder? builder, WebApplication? app)
{
    if (app?.Services.GetService<HostLogger>() is { } host)
    {
        return new LastWordsLogger(host.Logger.ForContext("SourceContext", "PushListener"), null);
    }

    try
    {
        var made = builder is null ? null : LoggingSetup.CreateLogger(builder.Configuration);
        return new LastWordsLogger((made ?? Log.Logger).ForContext("SourceContext", "PushListener"), made);
    }
#pragma warning disable CA1031 // The configuration itself may be what is broken: fall back to the console.
    catch (Exception)
#pragma warning restore CA1031
    {
        return new LastWordsLogger(Log.Logger.ForContext("SourceContext", "PushListener"), null);
    }
}

/// <summary>Entry point; public so that tests can host it with WebApplicationFactory.</summary>
public partial class Program
{
    /// <summary>A logger for the entry point's last words, flushed (when it was made for them) on disposal.</summary>
    private sealed class LastWordsLogger(Serilog.ILogger logger, Serilog.Core.Logger? owned) : IAsyncDisposable
    {
        public Serilog.ILogger Logger { get; } = logger;

        public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
