using PushListener.Pipeline;

namespace PushListener.Handlers.Logging;

/// <summary>Settings of the <c>Log</c> handler type.</summary>
internal sealed class LogHandlerSettings : IHandlerSettings
{
    /// <summary>Level of the per-notification log event. Default Information.</summary>
    public LogLevel Level { get; set; } = LogLevel.Information;

    /// <summary>Include each event's ids in the log event (they identify mail items). Default <see langword="true"/>.</summary>
    public bool IncludeIds { get; set; } = true;

    public IEnumerable<string> Validate(string path)
    {
        if (Level is LogLevel.None || !Enum.IsDefined(Level))
        {
            yield return $"{path}:Level must be one of Trace, Debug, Information, Warning, Error, Critical (got {Level}).";
        }
    }
}
