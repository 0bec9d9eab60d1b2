namespace EventCounterPlugin;

/// <summary>The plugin's settings: the section <c>PushListener:Plugins:EventCounterPlugin</c>.</summary>
public sealed class EventCounterOptions
{
    /// <summary>Log a summary of the counts every this many notifications; 0 never. Default 100.</summary>
    public int LogEvery { get; set; } = 100;

    /// <summary>
    /// When set, the counts are written to this file as JSON after every notification (replaced whole, never half-written).
    /// A relative path is taken from the working directory. Default: none.
    /// </summary>
    public string? CountsFile { get; set; }
}
