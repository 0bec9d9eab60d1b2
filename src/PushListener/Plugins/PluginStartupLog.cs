namespace PushListener.Plugins;

/// <summary>
/// Logs what plugin loading found once the host's logger exists: plugins are loaded while services are registered, before
/// there is any logger to write to.
/// </summary>
internal sealed class PluginStartupLog(PluginCatalog catalog, ILogger<PluginCatalog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!catalog.FolderExists)
        {
            PluginLog.FolderMissing(logger, catalog.FolderConfigured ? LogLevel.Warning : LogLevel.Debug, catalog.Folder);
        }

        foreach (var plugin in catalog.Loaded)
        {
            PluginLog.PluginLoaded(logger, plugin.Name, plugin.Version, plugin.Path, plugin.Handlers.Count, plugin.Handlers);
        }

        foreach (var failed in catalog.Skipped)
        {
            PluginLog.PluginSkipped(logger, failed.Name, failed.Path, failed.Cause, failed.Underlying);
        }

        foreach (var (name, path) in catalog.Disabled)
        {
            PluginLog.PluginDisabled(logger, name, path);
        }

        foreach (var key in catalog.UnmatchedSections)
        {
            PluginLog.UnmatchedSection(logger, key, catalog.Folder);
        }

        if (catalog.FolderExists)
        {
            PluginLog.FolderScanned(logger, catalog.Folder, catalog.Loaded.Count);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
