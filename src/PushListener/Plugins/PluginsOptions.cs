using PushListener.Hosting;
using PushListener.Pipeline;

namespace PushListener.Plugins;

/// <summary>
/// The <c>PushListener:Plugins</c> section. Every other key under it is a plugin's own section,
/// <c>PushListener:Plugins:{Name}</c> (see <see cref="PluginEntryOptions"/>).
/// </summary>
internal sealed class PluginsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = PushListenerOptions.SectionName + ":Plugins";

    /// <summary>
    /// The plugins folder: one subfolder per plugin. A relative path is taken from the content root (where
    /// <c>appsettings.json</c> is read from). Default <c>plugins</c>; a missing folder means no plugins.
    /// </summary>
    public string Folder { get; set; } = "plugins";

    /// <summary>
    /// Start without a plugin that fails to load, logging the failure as an error, instead of stopping start-up.
    /// Default <see langword="false"/>.
    /// </summary>
    public bool SkipFailed { get; set; }

    /// <summary>
    /// Keys of this section that are settings, not plugin names: a plugin folder may not have one of these names, since
    /// its configuration section would collide with the setting.
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { nameof(Folder), nameof(SkipFailed) };
}

/// <summary>
/// The host's keys in a plugin's own section, <c>PushListener:Plugins:{Name}</c>; the plugin reads the rest of the section
/// (<see cref="PluginContext.Configuration"/>).
/// </summary>
internal sealed class PluginEntryOptions
{
    /// <summary>Set to <see langword="false"/> to leave the plugin's folder in place without loading it. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Overrides for the plugin's handlers, by handler name (with or without the <c>{plugin}.</c> prefix).</summary>
    public Dictionary<string, PluginHandlerOptions> Handlers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// <c>PushListener:Plugins:{Name}:Handlers:{Handler}</c>: what the operator may change about a handler a plugin registered.
/// Settings left out keep what the plugin chose.
/// </summary>
internal sealed class PluginHandlerOptions
{
    /// <summary>Set to <see langword="false"/> to drop the handler from the pipeline. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Place in the pipeline; lower runs first.</summary>
    public int? Order { get; set; }

    /// <summary>Per-call timeout.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Which notifications the handler gets; replaces the filter the plugin registered the handler with.</summary>
    public FilterOptions? Filter { get; set; }
}
