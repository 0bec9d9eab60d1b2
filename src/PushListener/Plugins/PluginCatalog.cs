using System.Reflection;

namespace PushListener.Plugins;

/// <summary>What plugin loading found, registered as a singleton so start-up can log it and diagnostics can show it.</summary>
internal sealed class PluginCatalog
{
    public PluginCatalog(string folder, bool folderExists, bool folderConfigured)
    {
        Folder = folder;
        FolderExists = folderExists;
        FolderConfigured = folderConfigured;
    }

    /// <summary>The plugins folder, as a full path.</summary>
    public string Folder { get; }

    public bool FolderExists { get; }

    /// <summary>Whether <c>PushListener:Plugins:Folder</c> was set (a missing folder is then worth a warning).</summary>
    public bool FolderConfigured { get; }

    public List<LoadedPlugin> Loaded { get; } = [];

    /// <summary>Plugins that failed and were skipped because <see cref="PluginsOptions.SkipFailed"/> is set.</summary>
    public List<FailedPlugin> Skipped { get; } = [];

    /// <summary>Plugins turned off with <c>PushListener:Plugins:{Name}:Enabled=false</c>, with their folders.</summary>
    public List<(string Name, string Path)> Disabled { get; } = [];

    /// <summary>Keys of <c>PushListener:Plugins</c> that name no plugin folder: most likely a typo.</summary>
    public List<string> UnmatchedSections { get; } = [];
}

/// <summary>A plugin that loaded and configured itself.</summary>
/// <param name="Name">The folder name.</param>
/// <param name="Version">The main assembly's informational version.</param>
/// <param name="Path">The plugin's folder.</param>
/// <param name="Assembly">The main assembly, in the plugin's own load context.</param>
/// <param name="Handlers">The names of the handlers it added to the pipeline.</param>
internal sealed record LoadedPlugin(string Name, string Version, string Path, Assembly Assembly, IReadOnlyList<string> Handlers);

/// <summary>A plugin that could not be loaded.</summary>
/// <param name="Name">The folder name.</param>
/// <param name="Path">The plugin's folder.</param>
/// <param name="Cause">Why, in one sentence.</param>
/// <param name="Exception">The underlying exception.</param>
internal sealed record FailedPlugin(string Name, string Path, string Cause, Exception Exception)
{
    /// <summary>The start-up error: <c>Plugin '{Name}' in {Path} could not be loaded: {Cause}</c>.</summary>
    public string Message => $"Plugin '{Name}' in {Path} could not be loaded: {Cause}";

    /// <summary>The exception behind the cause, worth a stack trace; <see langword="null"/> when the cause says it all.</summary>
    public Exception? Underlying => Exception is PluginLoadException ? Exception.InnerException : Exception;
}
