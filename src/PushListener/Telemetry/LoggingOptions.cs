using PushListener.Hosting;
using Serilog.Events;

namespace PushListener.Telemetry;

/// <summary>The <c>PushListener:Logging</c> section: where log lines go and how they look, beyond Serilog's own section.</summary>
public sealed class LoggingOptions : IValidatedOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Logging";

    /// <summary>
    /// The console's format: <see cref="ConsoleLogFormat.Text"/> (default), <see cref="ConsoleLogFormat.Json"/> (one
    /// compact JSON object per line, Serilog.Formatting.Compact) or <see cref="ConsoleLogFormat.None"/> (sinks from
    /// <c>Serilog:WriteTo</c> only).
    /// </summary>
    public ConsoleLogFormat ConsoleFormat { get; set; } = ConsoleLogFormat.Text;

    /// <summary>
    /// The level of the request line of a push answered OK (or a duplicate). Default <see cref="LogEventLevel.Debug"/>:
    /// at the default minimum level (Information) an ordinary push writes no request line.
    /// </summary>
    public LogEventLevel PushRequestLevel { get; set; } = LogEventLevel.Debug;

    /// <summary>
    /// Log events the console's background queue holds when the console is slower than the service; past it, events are
    /// dropped and counted on <c>pushlistener.log.dropped</c> (the service never waits for its log). Default 10,000.
    /// </summary>
    public int ConsoleBufferSize { get; set; } = 10_000;

    IEnumerable<string> IValidatedOptions.Validate()
    {
        if (!Enum.IsDefined(ConsoleFormat))
        {
            yield return $"{SectionName}:ConsoleFormat must be Text, Json or None (got '{ConsoleFormat}').";
        }

        if (ConsoleBufferSize is < 100 or > 10_000_000)
        {
            yield return $"{SectionName}:ConsoleBufferSize must be between 100 and 10000000 (got {ConsoleBufferSize}).";
        }
    }
}

/// <summary>How the console shows log events.</summary>
public enum ConsoleLogFormat
{
    /// <summary>One readable line per event, ISO 8601 time stamps.</summary>
    Text,

    /// <summary>One compact JSON object (CLEF) per line, for log collectors.</summary>
    Json,

    /// <summary>No console output; sinks come from <c>Serilog:WriteTo</c>.</summary>
    None,
}
