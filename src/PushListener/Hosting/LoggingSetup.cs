using PushListener.Telemetry;
using Serilog;
using Serilog.Extensions.Hosting;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;

namespace PushListener.Hosting;

/// <summary>
/// Serilog in two stages: <see cref="CreateBootstrapLogger"/> (console) covers start-up until the configuration is read;
/// <see cref="AddPushListenerLogging"/> then builds the host's logger from the <c>Serilog</c> section (levels, extra
/// sinks) and <c>PushListener:Logging</c> (console format), and adds it to the host's logging with <c>AddSerilog</c>.
/// </summary>
public static class LoggingSetup
{
    /// <summary>The console line: ISO 8601 time, level, source, message, then the properties the message does not show.</summary>
    public const string TextTemplate = "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    // The sinks and formatters that ship with the service, named explicitly: assembly scanning finds nothing in a
    // single-file publish or under a test host. Others can still be added with Serilog:Using.
    private static readonly ConfigurationReaderOptions ReaderOptions = new(
        typeof(Log).Assembly,
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(LoggerConfigurationAsyncExtensions).Assembly,
        typeof(CompactJsonFormatter).Assembly);

    /// <summary>Replaces the default logging providers with the configured Serilog logger, owned (and flushed) by the host.</summary>
    public static WebApplicationBuilder AddPushListenerLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        // Serilog's MinimumLevel decides; the Microsoft filter must let everything through to it.
        builder.Logging.SetMinimumLevel(LogLevel.Trace);

        // Built when the container first needs it, from the host's final configuration (a test host adds its settings at
        // Build). Serilog is a provider of the framework's logger factory, not its replacement, so providers a host or a
        // test adds still receive events; the request log's diagnostic context is registered beside it.
        builder.Services.AddSingleton(static sp => new HostLogger(CreateLogger(sp.GetRequiredService<IConfiguration>())));
        builder.Services.AddSingleton<ILoggerProvider>(static sp => new SerilogLoggerProvider(sp.GetRequiredService<HostLogger>().Logger, dispose: false));
        builder.Services.AddSingleton(static sp => new DiagnosticContext(sp.GetRequiredService<HostLogger>().Logger));
        builder.Services.AddSingleton<IDiagnosticContext>(static sp => sp.GetRequiredService<DiagnosticContext>());
        return builder;
    }

    /// <summary>The host's logger from configuration.</summary>
    public static Serilog.Core.Logger CreateLogger(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new LoggingOptions();
        configuration.GetSection(LoggingOptions.SectionName).Bind(options);
        var bufferSize = Math.Clamp(options.ConsoleBufferSize, 100, 10_000_000);
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, ReaderOptions)
            .Enrich.FromLogContext()
            .Enrich.With(new CallbackTokenEnricher(configuration[PushListenerOptions.SectionName + ":Endpoint:Path"] ?? new EndpointOptions().Path))
            .Enrich.With<ControlCharacterEscaper>();

        // The console writes on a background thread: a slow terminal or journal must not slow requests. What its queue
        // cannot hold is dropped and counted (pushlistener.log.dropped), never lost silently.
        switch (options.ConsoleFormat)
        {
            case ConsoleLogFormat.Json:
                logger = logger.WriteTo.Async(a => a.Console(new CompactJsonFormatter()), bufferSize, blockWhenFull: false, monitor: LogDropMonitor.Instance);
                break;
            case ConsoleLogFormat.Text:
                logger = logger.WriteTo.Async(a => a.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture), bufferSize, blockWhenFull: false, monitor: LogDropMonitor.Instance);
                break;
        }

        return logger.CreateLogger();
    }

    /// <summary>A console logger for what happens before the host's own logger exists.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() =>
        new LoggerConfiguration().Enrich.With<ControlCharacterEscaper>().WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateLogger();
}

/// <summary>The host's Serilog logger (disposed, so flushed, with the host); the entry point's last words use it too.</summary>
public sealed class HostLogger(Serilog.Core.Logger logger) : IAsyncDisposable
{
    /// <summary>The logger with the configured sinks.</summary>
    public Serilog.ILogger Logger => logger;

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => logger.DisposeAsync();
}
