using System.Reflection;
using System.Runtime.Loader;

namespace PushListener.Plugins;

/// <summary>
/// One plugin's assemblies: its main assembly and the dependencies its <c>.deps.json</c> lists, resolved from the plugin's
/// folder. Assemblies the host shares (<see cref="SharedAssemblies"/>) always come from the host, even when the plugin
/// ships a copy, so that <see cref="INotificationHandler"/>, <c>IServiceCollection</c> and the rest are the host's types.
/// </summary>
/// <remarks>Not collectible: handlers live as long as the host, and unloading would buy nothing but risk.</remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string pluginName, string mainAssemblyPath)
        : base("plugin:" + pluginName, isCollectible: false)
    {
        MainAssemblyPath = mainAssemblyPath;
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    public string MainAssemblyPath { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Null defers to the default context, which holds the host's copy.
        if (SharedAssemblies.IsShared(assemblyName))
        {
            return null;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
