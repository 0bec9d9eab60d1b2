using System.Reflection;
using System.Runtime.Loader;

namespace PushListener.Plugins;

/// <summary>
/// Which assemblies a plugin gets from the host rather than from its own folder: <c>PushListener.Abstractions</c>, and
/// <c>System.*</c>, <c>Microsoft.Extensions.*</c>, <c>Microsoft.AspNetCore.*</c> and the core library facades when the
/// host has them. Types crossing between host and plugin are only the same types when both sides load the same assembly.
/// </summary>
internal static class SharedAssemblies
{
    /// <summary>The plugin contract: always the host's, whatever the plugin ships.</summary>
    public const string Contract = "PushListener.Abstractions";

    private static readonly string[] Prefixes = ["System.", "Microsoft.Extensions.", "Microsoft.AspNetCore.", "Microsoft.Win32."];

    private static readonly string[] Names = ["System", "mscorlib", "netstandard", "Microsoft.CSharp", "Microsoft.VisualBasic"];

    // The host's own assemblies and the shared frameworks it runs on, by simple name and file.
    private static readonly Lazy<Dictionary<string, string>> HostFiles = new(ReadTrustedPlatformAssemblies);

    /// <summary>
    /// True when <paramref name="name"/> must come from the host. A framework-like name the host does not have (a
    /// <c>System.*</c> package outside the shared framework, say) stays the plugin's own.
    /// </summary>
    public static bool IsShared(AssemblyName name)
    {
        var simple = name.Name;
        if (simple is null)
        {
            return false;
        }

        if (string.Equals(simple, Contract, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IsFrameworkLike(simple) && HostHas(simple);
    }

    /// <summary>The version of the host's copy of <paramref name="simpleName"/>, or <see langword="null"/> when the host has none.</summary>
    public static Version? HostVersion(string simpleName)
    {
        var loaded = LoadedByHost(simpleName);
        if (loaded is not null)
        {
            return loaded.GetName().Version;
        }

        if (!HostFiles.Value.TryGetValue(simpleName, out var path))
        {
            return null;
        }

        try
        {
            return AssemblyName.GetAssemblyName(path).Version;
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsFrameworkLike(string simple)
    {
        foreach (var prefix in Prefixes)
        {
            if (simple.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return Names.Contains(simple, StringComparer.OrdinalIgnoreCase);
    }

    private static bool HostHas(string simple) => HostFiles.Value.ContainsKey(simple) || LoadedByHost(simple) is not null;

    // The default context only: what other plugins loaded is theirs, not the host's.
    private static Assembly? LoadedByHost(string simple) =>
        AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, simple, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string> ReadTrustedPlatformAssemblies()
    {
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                files.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
        }

        return files;
    }
}
