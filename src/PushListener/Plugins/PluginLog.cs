namespace PushListener.Plugins;

internal static partial class PluginLog
{
    [LoggerMessage(300, LogLevel.Information, "Plugin {Plugin} {Version} loaded from {Path}: {HandlerCount} handler(s) {Handlers}")]
    public static partial void PluginLoaded(ILogger logger, string plugin, string version, string path, int handlerCount, IReadOnlyList<string> handlers);

    [LoggerMessage(301, LogLevel.Error, "Plugin {Plugin} in {Path} could not be loaded and is skipped (PushListener:Plugins:SkipFailed is true): {Cause}")]
    public static partial void PluginSkipped(ILogger logger, string plugin, string path, string cause, Exception? exception);

    [LoggerMessage(302, LogLevel.Information, "Plugin {Plugin} in {Path} is not loaded: PushListener:Plugins:{Plugin}:Enabled is false")]
    public static partial void PluginDisabled(ILogger logger, string plugin, string path);

    [LoggerMessage(EventId = 303, Message = "Plugins folder {Folder} does not exist: no plugins loaded")]
    public static partial void FolderMissing(ILogger logger, LogLevel level, string folder);

    [LoggerMessage(304, LogLevel.Warning, "PushListener:Plugins:{Key} configures no plugin: there is no folder {Key} in {Folder}")]
    public static partial void UnmatchedSection(ILogger logger, string key, string folder);

    [LoggerMessage(305, LogLevel.Debug, "Plugins folder {Folder}: {Count} plugin(s) loaded")]
    public static partial void FolderScanned(ILogger logger, string folder, int count);
}
