using Serilog;

namespace PushListener.Hosting;

/// <summary>Serilog from the <c>Serilog</c> configuration section (console by default; file and JSON by configuration).</summary>
public static class LoggingSetup
{
    /// <summary>Replaces the default logging providers with a Serilog logger configured from <c>appsettings.json</c>, owned by the host.</summary>
    public static WebApplicationBuilder AddPushListenerLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpointPath = builder.Configuration[PushListenerOptions.SectionName + ":Endpoint:Path"] ?? new EndpointOptions().Path;
        var configuration = new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).Enrich.With(new CallbackTokenEnricher(endpointPath));
        if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
        {
            configuration = configuration.WriteTo.Console().Enrich.FromLogContext();
        }

        builder.Logging.ClearProviders();
        // Serilog's MinimumLevel decides; the Microsoft filter must let everything through to it.
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
        return builder;
    }

    /// <summary>A console logger for what happens before the host's own logger exists or after it is gone.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() => new LoggerConfiguration().WriteTo.Console().CreateLogger();
}
