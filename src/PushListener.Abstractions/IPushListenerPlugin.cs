using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace PushListener;

/// <summary>
/// The entry point of a plugin assembly. The host finds the one public non-abstract class implementing it in the plugin's
/// main assembly, creates it with its parameterless constructor and calls <see cref="Configure"/> once at start-up.
/// </summary>
public interface IPushListenerPlugin
{
    /// <summary>Registers the plugin's handlers and services.</summary>
    void Configure(PluginContext context);
}

/// <summary>What a plugin gets at start-up.</summary>
public sealed class PluginContext
{
    /// <summary>Creates a context. The host does this.</summary>
    public PluginContext(string name, IServiceCollection services, IConfiguration configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        Name = name;
        Services = services;
        Configuration = configuration;
    }

    /// <summary>The plugin's name: its folder name under the plugins folder.</summary>
    public string Name { get; }

    /// <summary>The host's services: add the plugin's own here.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The plugin's own configuration section, <c>PushListener:Plugins:{Name}</c>; bind it with the options pattern.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>Adds a handler to the pipeline; its name defaults to <c>{plugin}.{type}</c>.</summary>
    public PluginContext AddHandler<THandler>(Action<HandlerOptions>? configure = null)
        where THandler : class, INotificationHandler
    {
        Services.AddNotificationHandler<THandler>(
            options =>
            {
                options.Name = Name + "." + typeof(THandler).Name;
                configure?.Invoke(options);
            },
            source: "plugin:" + Name);
        return this;
    }
}
