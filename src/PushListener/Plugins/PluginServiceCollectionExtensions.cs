namespace PushListener.Plugins;

/// <summary>Loads plugins from the plugins folder and lets each register its handlers.</summary>
internal static class PluginServiceCollectionExtensions
{
    public static IServiceCollection AddPlugins(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services;
    }
}
