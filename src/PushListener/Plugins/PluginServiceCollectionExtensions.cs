namespace PushListener.Plugins;

/// <summary>Loads plugins from the plugins folder and lets each register its handlers.</summary>
internal static class PluginServiceCollectionExtensions
{
    /// <summary>
    /// Loads every plugin under <c>PushListener:Plugins:Folder</c> now, while services can still be added, and logs the
    /// outcome at start-up.
    /// </summary>
    /// <exception cref="InvalidOperationException">A plugin could not be loaded and <c>PushListener:Plugins:SkipFailed</c> is off.</exception>
    public static IServiceCollection AddPlugins(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration.GetSection(PluginsOptions.SectionName);
        var options = new PluginsOptions();
        section.Bind(options);
        if (string.IsNullOrWhiteSpace(options.Folder))
        {
            throw new InvalidOperationException($"{PluginsOptions.SectionName}:Folder must name a folder (default 'plugins').");
        }

        var folder = Path.GetFullPath(options.Folder, ContentRoot(services));
        var catalog = new PluginLoader(services, configuration, options.SkipFailed).LoadAll(folder, section[nameof(PluginsOptions.Folder)] is not null);
        services.AddSingleton(catalog);
        services.AddHostedService<PluginStartupLog>();
        return services;
    }

    /// <summary>
    /// The host's content root (where appsettings.json is read from), from the environment the host builder registered
    /// before any service code ran; the application folder when there is none (a bare service collection).
    /// </summary>
    private static string ContentRoot(IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i] is { ServiceType: var type, IsKeyedService: false } descriptor
                && type == typeof(IHostEnvironment)
                && descriptor.ImplementationInstance is IHostEnvironment { ContentRootPath: { Length: > 0 } root })
            {
                return root;
            }
        }

        return AppContext.BaseDirectory;
    }
}
